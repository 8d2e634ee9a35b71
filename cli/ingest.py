"""`smearwatch ingest FILE...`: store posts from dumps, once each, and report every unreadable record."""

import argparse
import os
import sys

import orjson

from cli.errors import EXIT_OK, EXIT_REJECTED, CommandError
from cli.options import add_input_options, read_options
from cli.progress import byte_progress
from smearwatch.db import get_engine
from smearwatch.runs import run_counts
from worker import service
from worker.ingest import ingest_sources, open_sources
from worker.recovery import recover
from worker.sources import ReadOptions

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
        return run_queued(args, read_options(args))
    sources = open_sources(args.files, args.format, read_options(args))
    bar, advance = byte_progress(sum(s.size for s in sources), "ingest")
    with bar:
        summary = ingest_sources(sources, progress=advance, skip_scoring=args.no_score)
    report_rejections(summary)
    detection, recovered = None, {"ended": [], "scored": []}
    if not args.no_score:
        detection = service.run_here(get_engine(), "score_run", summary.run)["detection"]
        recovered = recover(get_engine())  # earlier runs killed while storing or scoring
    if args.json:
        sys.stdout.write(orjson.dumps(summary.counts()).decode() + "\n")
    else:
        rate = summary.read / summary.seconds if summary.seconds else 0.0
        print(f"run {summary.run}: read {summary.read}, stored {summary.stored}, "
              f"duplicates {summary.duplicates}, rejected {summary.rejected} "
              f"in {summary.seconds:.1f} s ({rate:,.0f} records/s)")
        if detection:
            print(describe_detection(detection))
        if recovered["ended"] or recovered["scored"]:
            print(describe_recovery(recovered))
    return EXIT_REJECTED if summary.rejected else EXIT_OK


def run_queued(args: argparse.Namespace, options: ReadOptions) -> int:
    """`--queue`: a run cut into slices for the workers (or, with no broker, stored here slice by slice)."""
    engine = get_engine()
    try:
        if service.broker_enabled():
            started = service.start_ingest(engine, args.files, fmt=args.format, options=options)
        else:
            total = sum(os.path.getsize(f) for f in args.files if os.path.isfile(f))
            bar, advance = byte_progress(total, "ingest")

            def on_slice(run_id: int) -> None:
                advance(run_counts(engine, run_id)["bytes_done"])

            with bar:
                started = service.start_ingest(engine, args.files, fmt=args.format, options=options,
                                               on_slice=on_slice)
    except service.ServiceError as error:
        raise CommandError(str(error)) from None
    counts = run_counts(engine, started["run"])
    out = {"run": started["run"], "slices": started["slices"], "queued": started["queued"],
           "status": counts["status"], "read": counts["read"], "stored": counts["stored"],
           "duplicates": counts["duplicates"], "rejected": counts["rejected"]}
    if args.json:
        sys.stdout.write(orjson.dumps(out).decode() + "\n")
    elif started["queued"]:
        print(f"run {out['run']}: {out['slices']} slices queued; follow with `smearwatch status`")
    else:
        print(f"run {out['run']}: read {out['read']}, stored {out['stored']}, duplicates {out['duplicates']}, "
              f"rejected {out['rejected']} ({out['slices']} slices, in-process)")
    return EXIT_REJECTED if (not started["queued"] and out["rejected"]) else EXIT_OK


def describe_recovery(recovered: dict) -> str:
    return (f"recovered earlier runs: {len(recovered['ended'])} ended (their process was gone: "
            f"{', '.join(map(str, recovered['ended'])) or '-'}), {len(recovered['scored'])} scored "
            f"({', '.join(map(str, recovered['scored'])) or '-'})")


def describe_detection(detection: dict) -> str:
    return (f"scored {detection['posts']} posts with model {detection['model']}: {detection['clusters']} clusters, "
            f"{detection['flagged']} flagged ({detection['created']} new, {detection['grown']} grown)"
            + (f"; {detection['campaigns']} campaigns in the span, {detection['flagged_campaigns']} flagged"
               if "campaigns" in detection else ""))


def report_rejections(summary) -> None:
    for rejection in summary.rejections:
        print(f"{rejection.source}:{rejection.line}: {rejection.reason}", file=sys.stderr)
    hidden = summary.rejected - len(summary.rejections)
    if hidden > 0:
        print(f"... and {hidden} more rejected records (see run {summary.run})", file=sys.stderr)
    for warning in summary.warned:  # stored, with a field nulled or cut: not a rejection
        print(f"{warning.source}:{warning.line}: warning: {warning.reason}", file=sys.stderr)
    if summary.warnings > len(summary.warned):
        print(f"... and {summary.warnings - len(summary.warned)} more posts stored with warnings", file=sys.stderr)
