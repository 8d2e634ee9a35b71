"""The sample exports in samples/feeds (written by samples/generate.py) normalize as EXPECTED.json says, and the
native exports agree with their JSONL twins on post ids and authors. Skipped while the samples are absent."""

from pathlib import Path

import orjson
import pytest

from worker.sources import Skip, open_source

FEEDS = Path(__file__).resolve().parents[1] / "samples" / "feeds"
EXPECTED = FEEDS / "EXPECTED.json"

pytestmark = pytest.mark.skipif(not EXPECTED.exists(), reason="samples/feeds/EXPECTED.json not generated yet")


def _expected() -> dict:
    data = orjson.loads(EXPECTED.read_bytes())
    return data.get("files", data) if isinstance(data, dict) else {}


def _count(entry: dict, *names: str):
    for name in names:
        if name in entry:
            return entry[name]
    return None


def _read(path: Path, fmt: str | None = None):
    posts, skips = [], []
    for item in open_source(path, fmt).items():
        (skips if isinstance(item, Skip) else posts).append(item)
    return posts, skips


def _cases():
    if not EXPECTED.exists():
        return []
    return sorted((name, entry) for name, entry in _expected().items() if isinstance(entry, dict))


@pytest.mark.parametrize("name, entry", _cases())
def test_sample_export_counts(name, entry):
    path = FEEDS / name
    assert path.exists(), f"{name} listed in EXPECTED.json but missing"
    posts, skips = _read(path, entry.get("format"))
    want_posts = _count(entry, "posts", "normalized", "ok", "valid")
    want_skips = _count(entry, "rejected", "skips", "skipped", "invalid")
    if want_posts is not None:
        assert len(posts) == want_posts, [(s.line, s.reason) for s in skips[:5]]
    if want_skips is not None:
        assert len(skips) == want_skips, [(s.line, s.reason) for s in skips[:5]]


def _twins():
    if not FEEDS.exists():
        return []
    return sorted(p for p in FEEDS.iterdir() if p.name.endswith(".twin.jsonl"))


@pytest.mark.parametrize("twin", _twins(), ids=lambda p: p.name)
def test_native_export_matches_its_jsonl_twin(twin):
    stem = twin.name[: -len(".twin.jsonl")]
    natives = [p for p in FEEDS.iterdir() if p.name != twin.name and (p.name == stem or p.stem == stem)]
    assert natives, f"no native export next to {twin.name}"
    twin_posts, _ = _read(twin, "jsonl")
    native_posts, _ = _read(natives[0])
    assert [(p["id"], p["author_id"]) for p in native_posts] == [(p["id"], p["author_id"]) for p in twin_posts]
