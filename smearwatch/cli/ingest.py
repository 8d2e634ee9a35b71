"""`smearwatch ingest FILE...`: store posts from dumps, once each, and report every unreadable record."""

import argparse
import sys

import orjson

from smearwatch.cli.options import add_input_options, read_options
from smearwatch.cli.progress import byte_progress
from worker.ingest import ingest_sources, open_sources

EPILOG = """exit status: 0 every record was read; 3 some records were rejected (listed on stderr as
FILE:LINE: REASON and kept in the store); 2 usage error or an unreadable file; 1 any other failure.
Formats are detected per file; .gz and .zst files are read transparently."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("files", nargs="+", metavar="FILE", help="dump files (any supported format)")
    add_input_options(parser)
    parser.add_argument("--no-score", action="store_true",
                        help="only store the posts; skip scoring and clustering (e.g. for a bulk load)")
    parser.add_argument("--json", action="store_true",
                        help='print one JSON object: {"read", "stored", "duplicates", "rejected", "run"}')
    parser.add_argument("--queue", action="store_true",
                        help="split the dumps into slices and enqueue them for the workers (SMEARWATCH_BROKER_URL); "
                             "without a broker the slices are stored here. Follow with `smearwatch status`")


def run(args: argparse.Namespace) -> int:
    if args.queue:
        from worker.cli_support import run_queued_ingest  # noqa: PLC0415

        return run_queued_ingest(args, read_options(args))
    sources = open_sources(args.files, args.format, read_options(args))
    bar, advance = byte_progress(sum(s.size for s in sources), "ingest")
    with bar:
        summary = ingest_sources(sources, progress=advance)
    report_rejections(summary)
    detection = None
    if not args.no_score:
        from smearwatch.db import get_engine
        from worker.scoring import score_run  # imports scikit-learn: only when scoring

        detection = score_run(get_engine(), summary.run)["detection"]
    if args.json:
        sys.stdout.write(orjson.dumps(summary.counts()).decode() + "\n")
    else:
        rate = summary.read / summary.seconds if summary.seconds else 0.0
        print(f"run {summary.run}: read {summary.read}, stored {summary.stored}, "
              f"duplicates {summary.duplicates}, rejected {summary.rejected} "
              f"in {summary.seconds:.1f} s ({rate:,.0f} records/s)")
        if detection:
            print(describe_detection(detection))
    return 3 if summary.rejected else 0


def describe_detection(detection: dict) -> str:
    return (f"scored {detection['posts']} posts with model {detection['model']}: {detection['clusters']} clusters, "
            f"{detection['flagged']} flagged ({detection['created']} new, {detection['grown']} grown)")


def report_rejections(summary) -> None:
    for rejection in summary.rejections:
        print(f"{rejection.source}:{rejection.line}: {rejection.reason}", file=sys.stderr)
    hidden = summary.rejected - len(summary.rejections)
    if hidden > 0:
        print(f"... and {hidden} more rejected records (see run {summary.run})", file=sys.stderr)
