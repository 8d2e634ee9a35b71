"""The sample exports in samples/feeds (written by samples/generate.py) normalize as EXPECTED.json says, and the
native exports agree with their JSONL twins on post ids and authors."""

from pathlib import Path

import orjson
import pytest

from worker.sources import ReadOptions, Rejection, open_source

FEEDS = Path(__file__).resolve().parents[1] / "samples" / "feeds"
EXPECTED = orjson.loads((FEEDS / "EXPECTED.json").read_bytes())["files"]

# EXPECTED.json names each planted error with one word; our reasons say it in words of their own.
REASON_WORDS = {"json": "json", "missing": "missing", "timestamp": "time", "quote": "csv record"}


def read(name: str):
    spec = EXPECTED[name]
    options = ReadOptions(mapping=spec.get("map") or {})
    posts, skips = [], []
    for item in open_source(FEEDS / name, spec["format"], options).items():
        (skips if isinstance(item, Rejection) else posts).append(item)
    return posts, skips


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_export_normalizes_as_expected(name):
    spec = EXPECTED[name]
    posts, skips = read(name)
    assert len(posts) == spec["posts"]
    assert [s.line for s in skips] == [r["line"] for r in spec["rejected"]]
    for skip, planted in zip(skips, spec["rejected"], strict=True):
        assert REASON_WORDS[planted["reason"]] in skip.reason.lower(), (skip.line, skip.reason)
    if spec["platform"] != "mixed":
        assert {p["platform"] for p in posts} == {spec["platform"]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_format_is_detected(name):
    if EXPECTED[name]["format"] == "csv":
        pytest.skip("the generic CSV is chosen with --format csv / --map, never detected")
    assert open_source(FEEDS / name).format == EXPECTED[name]["format"]


@pytest.mark.parametrize("twin", sorted(n for n, spec in EXPECTED.items() if "twin_of" in spec))
def test_native_export_matches_its_jsonl_twin(twin):
    native_posts, _ = read(EXPECTED[twin]["twin_of"])
    twin_posts, _ = read(twin)
    assert len(native_posts) == len(twin_posts) > 0
    assert [(p["id"], p["author_id"]) for p in native_posts] == [(p["id"], p["author_id"]) for p in twin_posts]


def test_edge_cases_come_through():
    tweets = {p["id"]: p for p in read("twarc2_pages.jsonl")[0]}
    truncated = EXPECTED["twarc2_flat.jsonl"]["truncated_retweet"]["id"]
    assert not tweets[truncated]["text"].endswith("…") and tweets[truncated]["repost_of"]
    telegram = {p["id"]: p for p in read("telegram_result.json")[0]}
    entity_post = telegram[EXPECTED["telegram_result.json"]["entity_list"]["id"]]
    assert isinstance(entity_post["text"], str) and entity_post["text"]
    vk = {p["id"]: p for p in read("vk_wall.json")[0]}
    assert vk[EXPECTED["vk_wall.json"]["copy_history"]["id"]]["repost_of"]
    atom = {p["id"] for p in read("outlets_atom/otanfaktisi.xml")[0]}
    assert EXPECTED["outlets_atom/otanfaktisi.xml"]["entry_without_id"]["id"] in atom
