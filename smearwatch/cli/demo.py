"""`smearwatch demo`: the embedded default end to end on the sample world, with no service running."""

import argparse
import json
from pathlib import Path

from smearwatch import migrate
from smearwatch.cli.ingest import describe_detection, report_rejections
from smearwatch.cli.progress import byte_progress
from smearwatch.db import get_engine
from smearwatch.settings import get_settings
from worker.ingest import ingest_sources, open_sources
from worker.sources import ReadOptions

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FEEDS = REPO / "samples" / "feeds"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS,
                        help="folder of sample dumps with their EXPECTED.json (default: samples/feeds)")


def demo_inputs(folder: Path) -> list[tuple[Path, str, ReadOptions]]:
    """Every sample export listed in EXPECTED.json, with its format and column mapping. JSONL twins repeat
    the posts of a native export, so they are left out (ingesting them would only count duplicates)."""
    listed = json.loads((folder / "EXPECTED.json").read_text())["files"]
    return [
        (folder / name, spec["format"], ReadOptions(mapping=spec.get("map") or {}))
        for name, spec in sorted(listed.items())
        if "twin_of" not in spec
    ]


def run(args: argparse.Namespace) -> int:
    print(f"database: {get_settings().database_url}")
    migrate.upgrade()
    print("schema: up to date")
    sources = []
    for path, fmt, options in demo_inputs(args.feeds):
        sources.extend(open_sources([path], fmt, options))
    bar, advance = byte_progress(sum(s.size for s in sources), "demo ingest")
    with bar:
        summary = ingest_sources(sources, engine=get_engine(), progress=advance)
    formats = sorted({s.format for s in sources})
    print(f"ingested {len(sources)} sample files in {len(formats)} formats ({', '.join(formats)}): "
          f"read {summary.read}, stored {summary.stored}, duplicates {summary.duplicates} (the same post in "
          f"several exports is stored once), rejected {summary.rejected} (run {summary.run})")
    if summary.rejected:
        print("the samples carry deliberately malformed records; each is reported with its file and line:")
        report_rejections(summary)
    from worker.detect import score_and_cluster  # imports scikit-learn: only when scoring

    print(describe_detection(score_and_cluster(get_engine())))
    return 0
