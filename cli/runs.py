"""`smearwatch runs list|show`: ingest runs as the run page shows them, rejected records as FILE:LINE: reason."""

import argparse
import sys

import orjson

from cli.errors import CommandError
from smearwatch.db import get_engine
from smearwatch.run_report import get_run, list_runs, run_clusters, run_rejections


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the latest ingest runs", description="the latest ingest runs, newest first")
    listing.add_argument("--limit", type=int, default=20, metavar="N", help="how many runs (default 20)")
    listing.add_argument("--json", action="store_true", help='print {"data": [...], "count"} as one JSON object')
    show = sub.add_parser("show", help="one run with its rejected records",
                          description="one run: its files, counts, the clusters holding its posts and its "
                                      "rejected records (FILE:LINE: reason; a run keeps its first 10,000)")
    show.add_argument("run_id", type=int, metavar="N", help="the run's id")
    show.add_argument("--limit", type=int, default=None, metavar="N",
                      help="print at most N rejected records (default: all that are kept)")
    show.add_argument("--json", action="store_true",
                      help='print the run as one JSON object with "rejections" and "clusters"')


def run(args: argparse.Namespace) -> int:
    engine = get_engine()
    if args.action == "list":
        runs, count = list_runs(engine, limit=max(args.limit, 1))
        if args.json:
            _print_json({"data": runs, "count": count})
        else:
            for item in runs:
                print(_line(item))
        return 0
    found = get_run(engine, args.run_id)
    if found is None:
        raise CommandError(f"no ingest run {args.run_id}", 1)
    limit = args.limit if args.limit is not None else found["rejected_kept"]
    rejections, kept = run_rejections(engine, args.run_id, limit=max(limit, 0))
    clusters = run_clusters(engine, args.run_id)
    if args.json:
        _print_json({**found, "rejections": rejections, "clusters": clusters})
        return 0
    print(_line(found))
    if found["error"]:
        print(f"error: {found['error']}")
    for cluster in clusters:
        print(f"cluster {cluster['id']}: {cluster['label']}{' (flagged)' if cluster['flagged'] else ''}, "
              f"score {cluster['score']:.2f}, {cluster['n_accounts']} accounts, {cluster['n_posts']} posts")
    if found["rejected"] > kept:
        print(f"rejected {found['rejected']} records; the first {kept} are kept:")
    for item in rejections:
        print(item["text"])
    return 0


def _line(item: dict) -> str:
    return (f"run {item['id']} {', '.join(item['files']) or '-'}: {item['status']} {item['progress']:.0%}  "
            f"read {item['read']}, stored {item['stored']}, duplicates {item['duplicates']}, "
            f"rejected {item['rejected']}")


def _print_json(value) -> None:
    sys.stdout.write(orjson.dumps(value).decode() + "\n")
