"""`smearwatch recover [--json]`: end ingest runs whose process is gone and score what they stored.

A run killed while storing (kill -9, a crash, a reboot) stays "running" with the batches it committed; one
killed while scoring leaves its posts unscored. Recovery marks the first failed and scores both. Every
`smearwatch ingest` does the same after its own scoring; the beat does it for queued runs.
"""

import argparse
import sys

import orjson

from cli.ingest import describe_recovery
from smearwatch.db import get_engine
from worker.recovery import recover


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help='print one JSON object: {"ended": [...], "scored": [...]}')


def run(args: argparse.Namespace) -> int:
    recovered = recover(get_engine())
    if args.json:
        sys.stdout.write(orjson.dumps(recovered).decode() + "\n")
    else:
        print(describe_recovery(recovered) if recovered["ended"] or recovered["scored"] else
              "nothing to recover: every run ended and every stored post is scored")
    return 0
