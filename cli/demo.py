"""`smearwatch demo`: the embedded default end to end on the sample world, with no service running.

Ingests the sample dumps, registers the sample feeds (a folder feed and local RSS feeds, polled once through the
same path a beat would take), scores and clusters everything, creates a demo reviewer and serves the review app.
"""

import argparse
import json
from pathlib import Path

from cli import serve
from cli.ingest import describe_detection, report_rejections
from cli.progress import byte_progress
from smearwatch import migrate
from smearwatch.db import get_engine
from smearwatch.settings import get_settings
from smearwatch.users import ensure_demo_user
from worker.feeds import register_demo_feeds
from worker.ingest import ingest_sources, open_sources
from worker.score_store import score_and_cluster
from worker.sources import ReadOptions

REPO = Path(__file__).resolve().parents[1]
# A checkout has samples/ next to the packages; an installed copy (the Docker image) finds them in the working
# directory.
DEFAULT_FEEDS = next((p for p in (REPO / "samples" / "feeds", Path.cwd() / "samples" / "feeds") if p.is_dir()),
                     REPO / "samples" / "feeds")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS,
                        help="folder of sample dumps with their EXPECTED.json (default: samples/feeds)")
    parser.add_argument("--no-serve", action="store_true", help="stop after setting up; do not start the review app")
    parser.add_argument("--host", default="127.0.0.1", help="address of the review app (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port of the review app (default 8000)")


def demo_inputs(folder: Path) -> list[tuple[Path, str, ReadOptions]]:
    """Every sample dump listed in EXPECTED.json, with its format and column mapping. JSONL twins repeat the
    posts of a native export (ingesting them would only count duplicates); the outlets' RSS and Atom files
    come in through the demo feeds instead."""
    listed = json.loads((folder / "EXPECTED.json").read_text())["files"]
    return [
        (folder / name, spec["format"], ReadOptions(mapping=spec.get("map") or {}))
        for name, spec in sorted(listed.items())
        if "twin_of" not in spec and not name.startswith("outlets_")
    ]


def run(args: argparse.Namespace) -> int:
    engine = get_engine()
    print(f"database: {get_settings().database_url}")
    migrate.upgrade()
    print("schema: up to date")
    sources = []
    for path, fmt, options in demo_inputs(args.feeds):
        sources.extend(open_sources([path], fmt, options))
    bar, advance = byte_progress(sum(s.size for s in sources), "demo ingest")
    with bar:
        summary = ingest_sources(sources, engine=engine, progress=advance)
    formats = sorted({s.format for s in sources})
    print(f"ingested {len(sources)} sample dumps in {len(formats)} formats ({', '.join(formats)}): "
          f"read {summary.read}, stored {summary.stored}, duplicates {summary.duplicates} (the same post in "
          f"several exports is stored once), rejected {summary.rejected} (run {summary.run})")
    if summary.rejected:
        print("the samples carry deliberately malformed records; each is reported with its file and line:")
        report_rejections(summary)
    feeds = register_demo_feeds(engine, args.feeds)
    print(f"feeds: {feeds['feeds']} sample feeds registered (a folder of Atom files, local RSS files) and polled "
          f"once: {feeds['stored']} new posts (posts the dumps already carried are stored once); "
          "`smearwatch beat` and `smearwatch worker` keep polling them")
    print(describe_detection(score_and_cluster(engine)))
    username, password = ensure_demo_user(engine)
    print(f"review app: http://{args.host}:{args.port}/  user {username!r}, password {password!r} "
          f"(a new password each time the demo runs)")
    if args.no_serve:
        return 0
    return serve.run(argparse.Namespace(host=args.host, port=args.port, workers=1))
