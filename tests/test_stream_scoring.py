"""Streamed batch scoring gives the output of one in-memory run: small partitions force many partition edges, on
the sample world, on a copy of it grouped by author, and on a dump built to cross every edge (a repost chain that
runs for 40 hours, a trending hashtag burst longer than a partition, originals days before their reposts)."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import orjson
import scored_outputs
from scored_outputs import WORLD, assert_same, outputs

from classifiers import PostFrame, load_model
from classifiers.detect import DetectConfig
from classifiers.entities import NER_MAX_CHARS, is_russian, ner_spans
from classifiers.signals import codes_of, rare_bursts
from classifiers.text import normalize_text
from devsupport.commands import run_cli
from worker.batch_scoring import score_dumps
from worker.external_sort import sort_posts, table_frame
from worker.hashtag_bursts import HashtagBursts
from worker.stream_scoring import LocalWorkers, ner_pieces

world_in_memory = scored_outputs.world_in_memory  # fixture


def grouped_by_author(src: Path, dst: Path) -> Path:
    """The dump's lines grouped by author (as in one-file-per-account releases), each author's posts shuffled."""
    lines = src.read_text().splitlines()
    rng = random.Random(5)
    rng.shuffle(lines)
    lines.sort(key=lambda line: json.loads(line)["author_id"])
    dst.write_text("\n".join(lines) + "\n")
    return dst


def test_streamed_world_equals_in_memory(world_in_memory, tmp_path):
    result = score_dumps([WORLD], out=tmp_path, partition_posts=150)
    assert result.summary()["stream"]["partitions"] >= 15
    assert_same(world_in_memory, outputs(tmp_path))


def test_world_grouped_by_author_gives_the_same_output(world_in_memory, tmp_path):
    (tmp_path / "by-author").mkdir()
    shuffled = grouped_by_author(WORLD, tmp_path / "by-author" / WORLD.name)  # the report names the input
    score_dumps([shuffled], out=tmp_path / "streamed", partition_posts=97, jobs=2)
    assert_same(world_in_memory, outputs(tmp_path / "streamed"))
    score_dumps([shuffled], out=tmp_path / "memory", stream=False)
    assert_same(world_in_memory, outputs(tmp_path / "memory"))


def crossing_dump(path: Path) -> Path:
    """Posts built to cross partition edges (see the module doc), with background chatter."""
    rng = random.Random(11)
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    posts = [{"id": "orig-1", "platform": "twitter", "author_id": "news", "author_name": "Daily News",
              "created_at": t0 - timedelta(days=5), "text": "Minister Arman Bekov caught stealing the school budget"}]
    for i in range(300):  # a co-repost chain: four accounts, one repost every 8 minutes for 40 hours
        posts.append({"id": f"chain-{i}", "platform": "twitter", "author_id": f"troll-{i % 4}",
                      "created_at": t0 + timedelta(minutes=8 * i), "text": "Bekov is a thief, share this!",
                      "repost_of": "orig-1", "urls": ["https://example.org/bekov"]})
    for i in range(150):  # a trending tag: 150 accounts, one use every 10 minutes (a 25-hour burst)
        posts.append({"id": f"trend-{i}", "platform": "twitter", "author_id": f"fan-{i}",
                      "created_at": t0 + timedelta(minutes=10 * i), "text": f"watching the match {i} #final",
                      "hashtags": ["#final"]})
    for i in range(6):  # a small group on the same tag, inside the burst: popular, so no co-hashtag evidence
        posts.append({"id": f"tagged-{i}", "platform": "twitter", "author_id": f"bot-{i % 3}",
                      "created_at": t0 + timedelta(hours=20, seconds=30 * i), "text": f"the referee is paid {i}",
                      "hashtags": ["#final"]})
    for i in range(400):
        posts.append({"id": f"bg-{i}", "platform": "twitter", "author_id": f"user-{rng.randrange(150)}",
                      "created_at": t0 + timedelta(seconds=rng.randrange(3 * 86400)),
                      "text": f"ordinary day number {rng.randrange(10 ** 6)} in the city"})
    rng.shuffle(posts)
    with open(path, "wb") as f:
        for post in posts:
            post = {"urls": [], "hashtags": [], **post}
            post["created_at"] = post["created_at"].isoformat()
            f.write(orjson.dumps(post) + b"\n")
    return path


def test_streamed_crossing_dump_equals_in_memory(tmp_path):
    dump = crossing_dump(tmp_path / "crossing.jsonl")
    memory = score_dumps([dump], out=tmp_path / "memory", stream=False)
    streamed = score_dumps([dump], out=tmp_path / "streamed", partition_posts=25)
    chain = [c for c in memory.clusters() if any(p.startswith("chain-") for p in c["posts"])]
    assert len(chain) == 1 and len(chain[0]["posts"]) == 300  # one cluster for the whole 40-hour chain
    assert streamed.summary()["stream"]["partitions"] >= 30
    assert_same(outputs(tmp_path / "memory"), outputs(tmp_path / "streamed"))


def test_hashtag_bursts_match_rare_bursts_over_the_whole_dump(tmp_path):
    dump = crossing_dump(tmp_path / "crossing.jsonl")
    frame = PostFrame.from_records(orjson.loads(line) for line in dump.read_bytes().splitlines())
    config = DetectConfig.from_dict(load_model().card.get("detection"))
    bursts = HashtagBursts(config.co_hashtag_window, config.hashtag_max_accounts)
    sort_posts((orjson.loads(line) for line in dump.read_bytes().splitlines()), tmp_path, run_posts=100,
               on_block=bursts.feed)
    bursts.finish()
    assert bursts.popular_count == 1
    tags = [[normalize_text(h) for h in hs] if hs else None for hs in frame.hashtags]
    rows, keys = codes_of(tags)
    whole = rare_bursts(rows, keys, frame.created, frame.author_code, config.co_hashtag_window,
                        config.hashtag_max_accounts)
    given = rare_bursts(rows, keys, frame.created, frame.author_code, config.co_hashtag_window,
                        config.hashtag_max_accounts, bursts(tags, frame.created))
    assert len(whole[0]) == 0  # every use of #final lies in its one popular burst
    assert np.array_equal(whole[0], given[0]) and np.array_equal(whole[1], given[1])


def test_external_sort_gives_the_canonical_order(tmp_path, monkeypatch):
    monkeypatch.setattr("worker.external_sort.MERGE_ROWS", 32)  # merge 2 posts of each of the 16 runs at a time
    rng = random.Random(3)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    records = [{"id": f"p{i}", "platform": rng.choice(["vk", "twitter"]), "author_id": f"a{i % 7}",
                "created_at": (t0 + timedelta(seconds=rng.randrange(50))).isoformat(), "text": f"text {i}",
                "urls": [f"https://x.org/{i}"] if i % 3 else [], "hashtags": ["#t"] if i % 5 == 0 else []}
               for i in range(1000)]
    dump = sort_posts(iter(records), tmp_path, run_posts=64, part_posts=100)  # 16 runs, 10 parts
    assert len(dump.parts) == 10 and len(dump) == 1000
    frame = table_frame(dump.slice(0, len(dump)))
    expected = sorted(PostFrame.from_records(records).created.tolist())
    assert frame.created.tolist() == expected
    keys = list(zip(frame.created.tolist(), frame.platform.tolist(), frame.id.tolist(), strict=True))
    assert keys == sorted(keys)
    assert frame.urls[keys.index(next(k for k in keys if k[2] == "p1"))] == ["https://x.org/1"]
    assert np.array_equal(dump.created, frame.created)
    first_seen = list(dict.fromkeys(frame.author_id.tolist()))  # a code per author, in order of first appearance
    assert dump.author_code.dtype == np.int32
    assert dump.author_code.tolist() == [first_seen.index(a) for a in frame.author_id.tolist()]


def test_cli_streams_with_jobs_and_refuses_in_memory_jobs(tmp_path, world_in_memory):
    done = run_cli("score", str(WORLD), "--out", str(tmp_path / "out"), "--jobs", "2", "--partition-posts", "400",
                   "--work-dir", str(tmp_path), "--no-progress")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["stream"] == {"partition_posts": 400, "partitions": 8, "jobs": 2}
    assert_same(world_in_memory, outputs(tmp_path / "out"))
    assert list(tmp_path.glob("smearwatch-sort-*")) == []  # the sorted posts are gone with the run
    refused = run_cli("score", str(WORLD), "--out", str(tmp_path / "x"), "--in-memory", "--jobs", "2")
    assert refused.returncode == 2 and refused.stderr.strip().count("\n") == 0
    assert "--in-memory" in refused.stderr


def test_ner_in_pieces_tags_each_text_as_in_one_list():
    """The flagged clusters' NER is cut into pieces for processes or workers: the spans must not change."""
    texts = sorted({json.loads(line)["text"][:NER_MAX_CHARS] for line in WORLD.read_text().splitlines()})
    russian = [t for t in texts if is_russian(t)][:300]
    assert len(russian) == 300
    pieces = ner_pieces(russian, piece_texts=40)  # cut to multiples of the tagger's batch (32)
    assert [len(p) for p in pieces[:2]] == [32, 32]
    whole = ner_spans(russian)
    assert any(whole)  # the texts name something: the comparison means something
    assert [spans for piece in pieces for spans in ner_spans(piece)] == whole
    done = []
    assert LocalWorkers(jobs=2, ner_piece_texts=64).ner(russian, WORLD.parent, done.append) == whole  # 2 processes
    assert done == [64, 64, 64, 64, 44]
