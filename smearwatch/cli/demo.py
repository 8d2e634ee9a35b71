"""`smearwatch demo`: the embedded default end to end on the sample world, with no service running."""

import argparse
import json
from pathlib import Path

from smearwatch import migrate
from smearwatch.cli.ingest import report_rejections
from smearwatch.cli.progress import byte_progress
from smearwatch.db import get_engine
from smearwatch.settings import get_settings
from worker.ingest import ingest_sources, open_sources
from worker.sources import ReadOptions

REPO = Path(__file__).resolve().parents[2]
DEFAULT_FEEDS = REPO / "samples" / "feeds"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--feeds", type=Path, default=DEFAULT_FEEDS,
                        help=f"folder of sample dumps to ingest (default: {DEFAULT_FEEDS})")


def demo_inputs(folder: Path) -> list[tuple[Path, str | None, ReadOptions]]:
    """Every sample export with its format; twins repeat other files' posts, so they are left out."""
    expected = _expected(folder)
    inputs = []
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.suffix in (".md", ".json") and path.name == "EXPECTED.json":
            continue
        if ".twin." in path.name or path.name.endswith(".md"):
            continue
        spec = expected.get(path.name, {})
        options = ReadOptions(mapping=spec.get("mapping") or {})
        inputs.append((path, spec.get("format"), options))
    return inputs


def _expected(folder: Path) -> dict:
    path = folder / "EXPECTED.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return data.get("files", data) if isinstance(data, dict) else {}


def run(args: argparse.Namespace) -> int:
    settings = get_settings()
    print(f"database: {settings.database_url}")
    migrate.upgrade()
    print("schema: up to date")
    sources = []
    for path, fmt, options in demo_inputs(args.feeds):
        sources.extend(open_sources([path], fmt, options))
    bar, advance = byte_progress(sum(s.size for s in sources), "demo ingest")
    with bar:
        summary = ingest_sources(sources, engine=get_engine(), progress=advance)
    for source in sources:
        print(f"  {source.path.name:32} {source.format}")
    print(f"ingested {len(sources)} sample files: read {summary.read}, stored {summary.stored}, "
          f"duplicates {summary.duplicates}, rejected {summary.rejected} (run {summary.run})")
    if summary.rejected:
        print("the samples carry deliberately malformed records; each is reported with its file and line:")
        report_rejections(summary)
    return 0
