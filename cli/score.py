"""`smearwatch score INPUT... --out DIR`: score and cluster dump files with no database or broker.

A thin wrapper around the library call `worker.batch_scoring.score_dumps`, which writes DIR/scores.jsonl (one
line per input post), DIR/clusters.jsonl, DIR/campaigns.jsonl (or the three as .parquet with --out-format parquet),
DIR/rejected.jsonl and DIR/summary.json (docs/architecture.md, "Batch scoring output"). Exit 0 when every record
was read, 3 when some were rejected, 2 for usage errors and unreadable inputs or models, and for a `--model` that
cannot flag clusters (worker/gate.py, flag_check).

Dumps over 512 MiB (or with --stream, --partition-posts or --jobs) are scored streamed (worker/stream_scoring.py):
the same output, in memory bounded by the densest time partition; progress per phase on stderr (posts/s, ETA).
With --queue the time partitions are scored by the Celery workers (worker/queued_scoring.py), the same output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from classifiers import ModelError, load_model
from cli.errors import EXIT_ERROR, EXIT_OK, EXIT_REJECTED, EXIT_USAGE, CommandError
from cli.options import add_input_options, read_options
from cli.progress import PostProgress, byte_progress
from worker.batch_scoring import score_dumps
from worker.gate import cannot_flag, flag_check
from worker.partition_files import PartitionFileError
from worker.queued_scoring import QueueError
from worker.score_output import OUT_FORMATS
from worker.stream_scoring import PARTITION_POSTS


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
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stream", action="store_true", default=None,
                      help="streamed scoring: sort by time on disk and score time partitions, in memory bounded by "
                           "the densest partition (the default for inputs over 512 MiB); same output as in memory, "
                           "scores in time order")
    mode.add_argument("--in-memory", dest="stream", action="store_false",
                      help="hold the whole dump in memory, whatever its size")
    parser.add_argument("--partition-posts", type=int, metavar="N",
                        help=f"posts per time partition when streaming (default {PARTITION_POSTS}; implies --stream)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="score time partitions in N processes (implies --stream; default 1)")
    parser.add_argument("--queue", action="store_true",
                        help="score the time partitions on the Celery workers (SMEARWATCH_BROKER_URL; implies "
                             "--stream); workers on other machines need --work-dir on a folder shared at the same "
                             "path; progress also in `smearwatch status`")
    parser.add_argument("--work-dir", metavar="DIR",
                        help="where streamed scoring keeps the sorted posts while it runs (default: the system's "
                             "temporary folder; about the size of the dump as JSON Lines)")
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
    if args.partition_posts is not None and args.partition_posts < 1:
        raise CommandError("--partition-posts must be at least 1", EXIT_USAGE)
    if args.jobs < 1:
        raise CommandError("--jobs must be at least 1", EXIT_USAGE)
    if args.stream is False and (args.partition_posts is not None or args.jobs > 1):
        raise CommandError("--in-memory scores in one process: drop --partition-posts and --jobs", EXIT_USAGE)
    if args.queue and (args.stream is False or args.jobs > 1):
        raise CommandError("--queue scores partitions on the workers: drop --in-memory and --jobs", EXIT_USAGE)
    if args.work_dir is not None and not Path(args.work_dir).is_dir():
        raise CommandError(f"{args.work_dir}: --work-dir is not a directory", EXIT_USAGE)
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

    phases = PostProgress(enabled=not args.no_progress)
    with bar, phases:
        try:
            result = score_dumps(args.inputs, out=out, fmt=args.format, options=options, model=model,
                                 window=args.window, targets=targets, on_read=on_read, out_format=args.out_format,
                                 stream=args.stream, partition_posts=args.partition_posts, jobs=args.jobs,
                                 work=args.work_dir, on_progress=phases.update, queue=args.queue)
        except (QueueError, PartitionFileError) as error:
            raise CommandError(str(error), EXIT_ERROR) from None
    summary = result.summary()
    if not args.no_progress:
        print(f"{summary['scored']} posts scored, {summary['clusters']} clusters, {summary['flagged']} flagged, "
              f"{summary['campaigns']} campaigns ({summary['flagged_campaigns']} flagged), "
              f"{summary['rejected']} rejected -> {out}", file=sys.stderr)
    return EXIT_REJECTED if summary["rejected"] else EXIT_OK
