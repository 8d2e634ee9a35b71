"""`smearwatch train LABELLED... --out DIR`: train a model from labelled samples (CSV with a header, or JSONL).
`smearwatch train --from-decisions [--plus FILE...]`: a new model version in the store from the reviewers'
decisions (plus labelled files), trained as a worker task, activated only if not worse than the active one.

Each sample is a normalized post (only `text` is required) plus `label` (1/0 or smear/not_smear). Only the smear
(attack) judgement is learned: coordination is a null-model test and the verdict a fixed rule. Text-only samples
(no authors and times) keep the packaged post scorer as the model's base: a post's attack score is the higher of
the two, so what the researcher did not label is judged as before (`--alone` leaves the base out). The model
directory gets skops files and model-card.json with metrics on a held-out split and a flag check: its verdict on
the shipped held-out world; a model that finds none of its smear campaigns cannot flag clusters and
`smearwatch score --model` refuses it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from classifiers import LabelledDataError, labelled_frame, load_model, save_model, train
from classifiers.train import has_behaviour
from cli.errors import EXIT_OK, EXIT_USAGE, CommandError
from smearwatch.db import get_engine
from smearwatch.jobs import get_job
from worker import service
from worker.gate import cannot_flag, flag_check


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", metavar="LABELLED", help="labelled samples: .csv (header) or .jsonl")
    parser.add_argument("--out", metavar="DIR", help="model directory to write (training from files)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the held-out split (default 0)")
    parser.add_argument("--alone", action="store_true",
                        help="text-only samples: train on them alone, without the packaged post scorer as base "
                             "(a model that then finds no smear campaign of the shipped held-out world is refused "
                             "by `score --model`)")
    parser.add_argument("--from-decisions", action="store_true",
                        help="train a new model version from the reviewers' decisions (a worker task when "
                             "SMEARWATCH_BROKER_URL is set), compare it with the active one and activate it "
                             "only if it is not worse")
    parser.add_argument("--plus", nargs="+", default=[], metavar="FILE",
                        help="with --from-decisions: labelled files to train on as well")
    parser.add_argument("--no-activate", action="store_true",
                        help="with --from-decisions: keep the new version inactive whatever its metrics")


def run(args: argparse.Namespace) -> int:
    if args.from_decisions:
        return run_from_decisions(args)
    if not args.inputs or not args.out:
        raise CommandError("train needs LABELLED files and --out DIR, or --from-decisions", EXIT_USAGE)
    if args.plus or args.no_activate:
        raise CommandError("--plus and --no-activate go with --from-decisions", EXIT_USAGE)
    try:
        frame = labelled_frame(args.inputs)
    except LabelledDataError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    base = None if args.alone or has_behaviour(frame) else load_model()
    try:
        model = train(frame, frame.extra["label"], seed=args.seed, log=lambda m: print(m, file=sys.stderr),
                      base=base)
    except ValueError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    model.card["training_data"]["files"] = [Path(p).name for p in args.inputs]
    check = flag_check(model)
    model.card["flag_check"] = check
    save_model(model, args.out)
    reason = cannot_flag(check)
    if reason:
        print(f"warning: {args.out}: {reason}; `smearwatch score --model` will refuse it", file=sys.stderr)
    print(orjson.dumps({"model": str(args.out), "version": model.version, "threshold": model.threshold,
                        "base": model.card.get("base"), "flag_check": check,
                        "metrics": model.card.get("metrics", {})}).decode())
    return EXIT_OK


def run_from_decisions(args: argparse.Namespace) -> int:
    if args.alone:
        raise CommandError("--alone goes with LABELLED files and --out, not --from-decisions", EXIT_USAGE)
    if args.inputs or args.out:
        raise CommandError("with --from-decisions, name labelled files with --plus; versions go to "
                           "SMEARWATCH_VERSIONS_DIR", EXIT_USAGE)
    engine = get_engine()

    def progress(fraction: float, message: str) -> None:
        print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    try:
        job_id = service.start_retrain(engine, plus_paths=args.plus, created_by="cli", wait=True,
                               auto_activate=not args.no_activate, on_progress=progress)
    except service.ServiceError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    job = get_job(engine, job_id)
    print(orjson.dumps({"job": job_id, "status": job["status"], "message": job["message"],
                        "result": job["result"]}).decode())
    return EXIT_OK if job["status"] == "done" else 1
