"""Auto-detection across every format, refusal of unknown input, and transparent .gz / .zst."""

import gzip
import shutil
from pathlib import Path

import orjson
import pytest
import zstandard

from worker.sources import Rejection, SourceError, detect_format, open_source
from worker.sources.base import post_to_contract

DATA = Path(__file__).parent / "data" / "sources"

FIXTURES = {
    "twarc2_pages.jsonl": "twarc2",
    "twarc2_flat.jsonl": "twarc2",
    "ioarchive.csv": "ioarchive",
    "telegram_result.json": "telegram",
    "telegram_full.json": "telegram",
    "vk_wall.json": "vk",
    "vk_wall.jsonl": "vk",
    "crowdtangle_facebook.csv": "crowdtangle",
    "crowdtangle_instagram.csv": "crowdtangle",
    "feed.rss": "rss",
    "feed.atom": "rss",
    "generic.csv": "csv",
}


def contract(path):
    return [post_to_contract(i) if not isinstance(i, Rejection) else (i.line, i.reason) for i in open_source(path).items()]


@pytest.mark.parametrize("name, fmt", sorted(FIXTURES.items()))
def test_auto_detection(name, fmt):
    assert detect_format(DATA / name) == fmt


def test_normalized_jsonl_still_detected_as_jsonl(tmp_path):
    path = tmp_path / "posts.jsonl"
    path.write_bytes(orjson.dumps({"id": "1", "author_id": "a", "created_at": "2020-04-28T10:00:00Z", "text": "x"}))
    assert detect_format(path) == "jsonl"


@pytest.mark.parametrize("content", [
    "This is just some text.\nNothing structured here.\n",
    "name,age\nalice,3\n",
    '{"hello": "world"}\n',
    "<html><body>hi</body></html>",
])
def test_unknown_format_is_one_clear_source_error(tmp_path, content):
    path = tmp_path / "mystery.dat"
    path.write_text(content)
    with pytest.raises(SourceError) as info:
        detect_format(path)
    message = str(info.value)
    assert "unknown format" in message and str(path) in message and "\n" not in message


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("suffix", [".gz", ".zst"])
def test_compressed_inputs_read_the_same(tmp_path, name, suffix):
    target = tmp_path / (name + suffix)
    data = (DATA / name).read_bytes()
    if suffix == ".gz":
        target.write_bytes(gzip.compress(data))
    else:
        target.write_bytes(zstandard.ZstdCompressor().compress(data))
    plain = tmp_path / name
    shutil.copy(DATA / name, plain)
    assert detect_format(target) == FIXTURES[name]
    assert contract(target) == contract(plain)
