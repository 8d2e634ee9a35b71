"""`smearwatch score INPUT... --out DIR`: score and cluster dump files with no database or broker.

A thin wrapper around the library call `worker.batch_scoring.score_dumps`, which writes DIR/scores.jsonl (one
line per input post), DIR/clusters.jsonl, DIR/campaigns.jsonl (or the three as .parquet with --out-format parquet),
DIR/rejected.jsonl and DIR/summary.json (docs/architecture.md, "Batch scoring output"). Exit 0 when every record
was read, 3 when some were rejected, 2 for usage errors and unreadable inputs or models, and for a `--model` that
cannot flag clusters (worker/gate.py, flag_check).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classifiers import ModelError, load_model
from cli.errors import EXIT_OK, EXIT_REJECTED, EXIT_USAGE, CommandError
from cli.options import add_input_options, read_options
from cli.progress import byte_progress
from worker.batch_scoring import score_dumps
from worker.gate import cannot_flag, flag_check
from worker.score_output import OUT_FORMATS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="+", metavar="INPUT", help="dump files (plain, .gz or .zst; or Parquet)")
    parser.add_argument("--out", required=True, metavar="DIR", help="output directory (created if missing)")
    parser.add_argument("--out-format", choices=OUT_FORMATS, default="jsonl",
                        help="scores, clusters and campaigns as JSON Lines (default) or Parquet files")
    add_input_options(parser)
    parser.add_argument("--model", metavar="DIR", help="model directory (default: the packaged model)")
    parser.add_argument("--window", type=float, metavar="SECONDS",
                        help="time window of the pairwise coordination signals (co-repost, near-duplicate, "
                             "co-link, co-hashtag, co-reply); default: the model's")
    parser.add_argument("--target", action="append", default=[], metavar="NAME=ALIAS,...",
                        help="watch a named target with its aliases in any script (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")


def parse_targets(values: list[str]) -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    for value in values:
        name, sep, aliases = value.partition("=")
        name = name.strip()
        if not name:
            raise CommandError(f"--target {value!r}: expected NAME=alias1,alias2", EXIT_USAGE)
        targets.setdefault(name, []).extend(a.strip() for a in aliases.split(",") if sep and a.strip())
    return targets


def run(args: argparse.Namespace) -> int:
    targets = parse_targets(args.target)
    options = read_options(args)  # first: a column mapping implies --format csv
    if args.window is not None and args.window <= 0:
        raise CommandError("--window must be a positive number of seconds", EXIT_USAGE)
    try:
        model = load_model(args.model)
    except ModelError as error:
        raise CommandError(str(error), EXIT_USAGE) from None
    if args.model is not None:  # a model of one's own: never used silently when it cannot flag clusters
        reason = cannot_flag(model.card.get("flag_check") or flag_check(model))
        if reason:
            raise CommandError(f"{args.model}: refused: this model {reason}; retrain it without --alone "
                               "(text-only labels then keep the packaged scorer)", EXIT_USAGE)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"{out}: cannot create output directory: {error.strerror or error}", EXIT_USAGE) from None
    bar, advance = byte_progress(0, "reading", enabled=not args.no_progress)

    def on_read(done: int, total: int) -> None:
        bar.total = total
        advance(done)

    with bar:
        result = score_dumps(args.inputs, out=out, fmt=args.format, options=options, model=model,
                             window=args.window, targets=targets, on_read=on_read, out_format=args.out_format)
    summary = result.summary()
    if not args.no_progress:
        print(f"{summary['scored']} posts scored, {summary['clusters']} clusters, {summary['flagged']} flagged, "
              f"{summary['campaigns']} campaigns ({summary['flagged_campaigns']} flagged), "
              f"{summary['rejected']} rejected -> {out}", file=sys.stderr)
    return EXIT_REJECTED if summary["rejected"] else EXIT_OK
