"""The second synthetic world (bench/world2/generate.py): same seed same bytes, the normalized-post contract of
DESIGN.md plus the evaluation fields, every campaign kind present, labels that agree with kinds, and campaign and
account truth files that agree with the posts."""

import csv
import json
import os
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

import pytest

from classifiers import PostFrame

GENERATOR = Path(__file__).resolve().parents[1] / "bench" / "world2" / "generate.py"
FILES = ("posts.jsonl", "campaigns.json", "truth_accounts.csv")
KINDS = {"smear", "spam", "promotion", "news_network", "fan", "solidarity", "charity", "background", "viral",
         "criticism", "discussion"}
HARD_NEGATIVES = {"spam", "promotion", "news_network", "fan", "solidarity", "charity"}
FIELDS = {"id": str, "platform": str, "author_id": str, "text": str, "created_at": str, "urls": list,
          "hashtags": list, "label": int, "campaign": str, "kind": str, "target": str}
OPTIONAL = {"author_name": str, "author_created_at": str, "author_followers": int, "lang": str, "repost_of": str,
            "reply_to": str}
SMALL = 1500


def generate(out: Path, seed: int = 3, posts: int = SMALL, hashseed: str = "0") -> Path:
    env = {**os.environ, "PYTHONHASHSEED": hashseed}
    subprocess.run([sys.executable, str(GENERATOR), "--seed", str(seed), "--out", str(out), "--posts", str(posts)],
                   check=True, env=env, capture_output=True)
    return out


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    return generate(tmp_path_factory.mktemp("world2") / "a")


@pytest.fixture(scope="module")
def posts(small) -> list[dict]:
    with open(small / "posts.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def test_same_seed_same_bytes_whatever_the_hash_seed(small, tmp_path):
    again = generate(tmp_path / "b", hashseed="12345")
    for name in FILES:
        assert (small / name).read_bytes() == (again / name).read_bytes(), name


def test_another_seed_another_world(small, tmp_path):
    other = generate(tmp_path / "c", seed=4)
    assert (small / "posts.jsonl").read_bytes() != (other / "posts.jsonl").read_bytes()


def test_posts_follow_the_normalized_post_contract(posts):
    assert abs(len(posts) - SMALL) < SMALL * 0.25
    for p in posts:
        assert set(p) == set(FIELDS) | set(OPTIONAL), p["id"]
        for name, kind in FIELDS.items():
            assert isinstance(p[name], kind), (p["id"], name)
        for name, kind in OPTIONAL.items():
            assert p[name] is None or isinstance(p[name], kind), (p["id"], name)
        assert datetime.fromisoformat(p["created_at"]).utcoffset() is not None
        if p["author_created_at"] is not None:
            assert datetime.fromisoformat(p["author_created_at"]) <= datetime.fromisoformat(p["created_at"])
        assert all(isinstance(u, str) and u.startswith("http") for u in p["urls"])
        assert all(isinstance(h, str) and h and not h.startswith("#") for h in p["hashtags"])
        assert p["hashtags"] == [t for t in p["hashtags"] if "#" + t in p["text"]]
        assert p["label"] in (0, 1)
        assert p["kind"] in KINDS


def test_reposts_and_replies_point_to_earlier_posts_in_the_dump(posts):
    by_id = {p["id"]: p for p in posts}
    assert len(by_id) == len(posts)
    reposts = replies = 0
    for p in posts:
        for field in ("repost_of", "reply_to"):
            if p[field] is None:
                continue
            parent = by_id[p[field]]
            assert parent["platform"] == p["platform"]
            assert datetime.fromisoformat(parent["created_at"]) < datetime.fromisoformat(p["created_at"])
        if p["repost_of"] is not None and p["text"] in ("", by_id[p["repost_of"]]["text"]):
            reposts += 1
            # a plain share: Facebook shows no text of its own, retweets and forwards repeat the original
            expected = "" if p["platform"] == "facebook" else by_id[p["repost_of"]]["text"]
            assert p["text"] == expected
        replies += p["reply_to"] is not None
    assert reposts > 50 and replies > 50


def test_every_kind_and_language_is_present(posts):
    assert {p["kind"] for p in posts} == KINDS
    assert {"ro", "ru", "uk", "en"} <= {p["lang"] for p in posts}
    assert {"twitter", "facebook", "telegram", "web"} == {p["platform"] for p in posts}


def test_labels_agree_with_kinds(posts):
    for p in posts:
        assert p["label"] == (1 if p["kind"] == "smear" else 0), p["id"]
        if p["kind"] == "smear":
            assert p["target"] and p["campaign"].startswith("w2-s")
        if p["kind"] in HARD_NEGATIVES:
            assert p["campaign"].startswith("w2-n")
    named_not_smear = {p["kind"] for p in posts if p["target"] and p["label"] == 0}
    assert {"solidarity", "news_network", "criticism", "discussion"} <= named_not_smear


def test_campaigns_file_agrees_with_the_posts(small, posts):
    campaigns = json.loads((small / "campaigns.json").read_text(encoding="utf-8"))
    by_campaign = defaultdict(list)
    for p in posts:
        by_campaign[p["campaign"]].append(p)
    assert sorted(c["id"] for c in campaigns) == sorted(by_campaign)
    coordinated = [c for c in campaigns if c["id"].startswith("w2-")]
    assert 40 <= len(coordinated) <= 60
    assert sum(c["kind"] == "smear" for c in coordinated) >= 15
    for c in campaigns:
        mine = by_campaign[c["id"]]
        assert {p["kind"] for p in mine} == {c["kind"]}
        assert {p["label"] for p in mine} == {c["label"]}
        assert c["posts"] == sorted(p["id"] for p in mine)
        assert c["accounts"] == sorted({p["author_id"] for p in mine})
        assert datetime.fromisoformat(c["start"]) <= datetime.fromisoformat(c["end"])
        assert c["structure"]


def test_truth_accounts_agree_with_the_posts(small, posts):
    with open(small / "truth_accounts.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [list(r) for r in rows[:1]] == [["author_id", "role", "label"]]
    label = defaultdict(int)
    for p in posts:
        label[p["author_id"]] = max(label[p["author_id"]], p["label"])
    assert {r["author_id"]: int(r["label"]) for r in rows} == dict(label)
    smear_roles = {r["role"] for r in rows if r["label"] == "1"}
    assert smear_roles <= {"troll", "troll_aged", "smear_outlet", "smear_channel", "amplifier"}
    assert {"spam_bot", "news_aggregator", "organic", "target"} <= {r["role"] for r in rows if r["label"] == "0"}


def test_the_evaluation_reads_the_file(small):
    with open(small / "posts.jsonl", encoding="utf-8") as f:
        frame = PostFrame.from_records((json.loads(line) for line in f), extra=("label", "campaign", "kind", "target"))
    assert len(frame) > 0
    assert set(frame.extra["kind"]) == KINDS


def test_default_size(tmp_path):
    out = generate(tmp_path / "d", seed=1, posts=15000)
    with open(out / "posts.jsonl", encoding="utf-8") as f:
        posts = [json.loads(line) for line in f]
    assert 14000 <= len(posts) <= 16000
    assert 0.05 < sum(p["label"] for p in posts) / len(posts) < 0.2
    campaigns = json.loads((out / "campaigns.json").read_text(encoding="utf-8"))
    assert 40 <= sum(c["id"].startswith("w2-") for c in campaigns) <= 60
    background = sum(p["kind"] in ("background", "viral", "criticism", "discussion") for p in posts)
    assert background > len(posts) / 2
