"""What `smearwatch ingest --queue` runs (kept here so the ingest command stays small)."""

import argparse
import os
import sys

import orjson

from smearwatch.cli.progress import byte_progress
from smearwatch.db import get_engine
from worker.dispatch import broker_enabled
from worker.queue import queue_ingest, run_progress
from worker.sources import ReadOptions


def run_queued_ingest(args: argparse.Namespace, options: ReadOptions) -> int:
    engine = get_engine()
    if broker_enabled():
        queued = queue_ingest(engine, args.files, fmt=args.format, options=options)
    else:
        bar, advance = byte_progress(sum(os.path.getsize(f) for f in args.files if os.path.isfile(f)), "ingest")

        def on_slice(run_id: int) -> None:
            advance(run_progress(engine, run_id)["bytes_done"])

        with bar:
            queued = queue_ingest(engine, args.files, fmt=args.format, options=options, on_slice=on_slice)
    progress = run_progress(engine, queued["run"])
    out = {"run": queued["run"], "slices": queued["slices"], "queued": queued["queued"],
           "status": progress["status"], "read": progress["read"], "stored": progress["stored"],
           "duplicates": progress["duplicates"], "rejected": progress["rejected"]}
    if args.json:
        sys.stdout.write(orjson.dumps(out).decode() + "\n")
    elif queued["queued"]:
        print(f"run {out['run']}: {out['slices']} slices queued; follow with `smearwatch status`")
    else:
        print(f"run {out['run']}: read {out['read']}, stored {out['stored']}, duplicates {out['duplicates']}, "
              f"rejected {out['rejected']} ({out['slices']} slices, in-process)")
    return 3 if (not queued["queued"] and out["rejected"]) else 0
