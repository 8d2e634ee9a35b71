#!/usr/bin/env python3
"""Coordinated bursts in the IRA tweets: find them, sample them for hand labelling, show them to the labeller.

A burst is a group of posts by at least 3 distinct accounts that share one content key, where consecutive posts
are at most 10 minutes apart and the whole group fits in 1 hour. The content key of a post is its text after
`text_key` (lower case; links, @mentions, punctuation and a leading "RT" removed) when that leaves at least
3 words; else, for a retweet, the original it repeats (`repost_of`); else the post has no key (a bare link or
a one-word caption is not "the same text"). A burst's id is "b-" + sha1 of its sorted post ids.

    .venv/bin/python bench/ira_bursts.py stats            # how many bursts, by size and period
    .venv/bin/python bench/ira_bursts.py sample            # the seeded sample, written to the cache
    .venv/bin/python bench/ira_bursts.py show --from 0 --to 20   # the sample's texts, compactly, to label

The sample has three parts: (1) `--n` bursts spread over strata of size and half-year (`sample_bursts`);
(2) `--named` bursts from the rest, in a second stratified order, whose text names a person or an organisation by
natasha's Russian NER (`sample_named`); (3) `--extra` bursts continuing the order of part 1, skipping part 2.
Smears of a named target are rare (about 7% of bursts), so parts 2 and 3 give the smear class more members;
part 2 is chosen by whether a name is mentioned, not by how, and part 3 like part 1.

Labels go to bench/labels/ira_bursts.csv (burst_id, label, tweet_ids), by the rubric in
docs/rubric-ira-bursts.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ira_data import cache_dir, load_posts
from natasha import Doc, NewsEmbedding, NewsNERTagger, Segmenter

MIN_ACCOUNTS = 3
MAX_GAP = 600  # seconds between consecutive posts of a burst
MAX_SPAN = 3600  # seconds from a burst's first post to its last
MIN_WORDS = 3

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
_NON_WORD = re.compile(r"[^\w]+")
_RT = re.compile(r"^rt\s+")


@dataclass
class Burst:
    id: str
    post_ids: list[str]  # sorted
    accounts: int
    start: datetime
    end: datetime
    key: str
    text: str  # the most common text of the burst (the first in time on a tie)

    @property
    def size(self) -> int:
        return len(self.post_ids)


def text_key(text: str) -> str:
    text = _MENTION.sub(" ", _URL.sub(" ", (text or "").lower()))
    text = _NON_WORD.sub(" ", text.replace("_", " ")).strip()
    return _RT.sub("", text)


def content_key(post: dict) -> str | None:
    words = text_key(post["text"])
    if len(words.split()) >= MIN_WORDS:
        return "t:" + words
    if post.get("repost_of"):
        return "r:" + post["repost_of"]
    return None


def burst_id(post_ids) -> str:
    return "b-" + hashlib.sha1(" ".join(sorted(post_ids)).encode()).hexdigest()[:16]


def _time(post: dict) -> datetime:
    value = post["created_at"]
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def find_bursts(posts: list[dict]) -> list[Burst]:
    """Every burst of the posts (definition in the module docstring), ordered by start then id."""
    by_key: dict[str, list[tuple[datetime, str, str, str]]] = defaultdict(list)
    for post in posts:
        key = content_key(post)
        if key is not None:
            by_key[key].append((_time(post), post["id"], post["author_id"], post["text"]))
    bursts = []
    for key, items in by_key.items():
        if len({item[2] for item in items}) < MIN_ACCOUNTS:
            continue
        items.sort()
        group = [items[0]]
        for item in items[1:]:
            if ((item[0] - group[-1][0]).total_seconds() > MAX_GAP
                    or (item[0] - group[0][0]).total_seconds() > MAX_SPAN):
                bursts += _burst(group, key)
                group = []
            group.append(item)
        bursts += _burst(group, key)
    return sorted(bursts, key=lambda b: (b.start, b.id))


def _burst(group, key) -> list[Burst]:
    accounts = len({item[2] for item in group})
    if accounts < MIN_ACCOUNTS:
        return []
    ids = sorted(item[1] for item in group)
    text = Counter(item[3] for item in group).most_common(1)[0][0]
    return [Burst(burst_id(ids), ids, accounts, group[0][0], group[-1][0], key, text)]


SIZE_BUCKETS = ((3, 3), (4, 5), (6, 10), (11, 30), (31, 10**9))


def size_bucket(b: Burst) -> str:
    for low, high in SIZE_BUCKETS:
        if low <= b.accounts <= high:
            return f"{low}-{high}" if high < 10**9 else f"{low}+"
    raise ValueError(b.accounts)


def period(b: Burst) -> str:
    return f"{b.start.year}H{1 if b.start.month <= 6 else 2}"


def sample_bursts(bursts: list[Burst], n: int, seed: int) -> list[Burst]:
    """n bursts spread over (size bucket, half-year) strata: each stratum shuffled with the seed, then taken
    round-robin, so small strata are taken whole and big ones give the rest. Same input, same sample."""
    strata: dict[tuple[str, str], list[Burst]] = defaultdict(list)
    for b in sorted(bursts, key=lambda b: b.id):
        strata[(size_bucket(b), period(b))].append(b)
    rng = random.Random(seed)
    queues = []
    for key in sorted(strata):
        members = strata[key]
        rng.shuffle(members)
        queues.append(members)
    chosen: list[Burst] = []
    while len(chosen) < n and any(queues):
        for queue in queues:
            if queue and len(chosen) < n:
                chosen.append(queue.pop())
    return chosen


class NameFinder:
    """Does a text name a person or an organisation? (natasha's Russian NER, PER or ORG spans)"""

    def __init__(self):
        self.segmenter = Segmenter()
        self.tagger = NewsNERTagger(NewsEmbedding())

    def __call__(self, text: str) -> bool:
        doc = Doc(_URL.sub(" ", text))
        doc.segment(self.segmenter)
        doc.tag_ner(self.tagger)
        return any(span.type in ("PER", "ORG") for span in doc.spans)


def sample_named(bursts: list[Burst], exclude: set[str], n: int, seed: int, names_someone) -> list[Burst]:
    """n bursts not in `exclude`, in the stratified order of `sample_bursts`, whose text `names_someone`."""
    rest = [b for b in bursts if b.id not in exclude]
    chosen = []
    for b in sample_bursts(rest, len(rest), seed):
        if len(chosen) >= n:
            break
        if names_someone(b.text):
            chosen.append(b)
    return chosen


def draw_sample(bursts: list[Burst], n: int, named: int, extra: int, seed: int, names_someone) -> list[Burst]:
    """The three parts of the sample (module docstring), in order; each part is a prefix-stable draw."""
    order = sample_bursts(bursts, len(bursts), seed)
    first = order[:n]
    second = sample_named(bursts, {b.id for b in first}, named, seed + 1, names_someone) if named else []
    taken = {b.id for b in second}
    third = [b for b in order[n:] if b.id not in taken][:extra]
    return first + second + third


def read_labels(path: Path) -> list[dict]:
    """bench/labels/ira_bursts.csv: {"burst_id", "label", "tweet_ids": [ids]} per row."""
    with open(path, newline="") as f:
        return [{"burst_id": r["burst_id"], "label": r["label"], "tweet_ids": r["tweet_ids"].split()}
                for r in csv.DictReader(f)]


def write_labels(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["burst_id", "label", "tweet_ids"])
        for r in sorted(rows, key=lambda r: r["burst_id"]):
            out.writerow([r["burst_id"], r["label"], " ".join(sorted(r["tweet_ids"]))])


def _show(bursts: list[Burst], posts_by_id: dict[str, dict], start: int, stop: int) -> None:
    """Compact view for the labeller: burst header, then each distinct text once with how many posts used it."""
    for i, b in enumerate(bursts[start:stop], start=start):
        texts = Counter(" ".join(posts_by_id[p]["text"].split()) for p in b.post_ids)
        rt = sum(bool(posts_by_id[p]["repost_of"]) for p in b.post_ids)
        print(f"## {i} {b.id} accounts={b.accounts} posts={b.size} rt={rt} {b.start:%Y-%m-%d %H:%M} "
              f"span={(b.end - b.start).total_seconds() / 60:.0f}m")
        for text, count in texts.most_common(3):
            print(f"   {count}x {text[:300]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("stats", "sample", "show"))
    parser.add_argument("--data", type=Path, help="the CSV directory (default: the bench cache's ira/csv)")
    parser.add_argument("--n", type=int, default=300, help="bursts of the stratified part")
    parser.add_argument("--named", type=int, default=200, help="bursts of the part that names someone")
    parser.add_argument("--extra", type=int, default=200, help="bursts of the stratified continuation")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--from", dest="start", type=int, default=0)
    parser.add_argument("--to", dest="stop", type=int, default=20)
    args = parser.parse_args(argv)

    posts = load_posts(args.data or cache_dir() / "csv")
    bursts = find_bursts(posts)
    if args.command == "stats":
        print(f"posts {len(posts)}, bursts {len(bursts)}, posts in bursts {sum(b.size for b in bursts)}")
        print("by accounts:", dict(sorted(Counter(size_bucket(b) for b in bursts).items())))
        print("by half-year:", dict(sorted(Counter(period(b) for b in bursts).items())))
        return 0
    sample = draw_sample(bursts, args.n, args.named, args.extra, args.seed, NameFinder() if args.named else None)
    if args.command == "sample":
        path = cache_dir() / "sample.csv"
        write_labels(path, [{"burst_id": b.id, "label": "", "tweet_ids": b.post_ids} for b in sample])
        print(f"{len(sample)} bursts ({args.n} stratified, {args.named} naming someone, {args.extra} more "
              f"stratified) -> {path}")
        print("by accounts:", dict(sorted(Counter(size_bucket(b) for b in sample).items())))
        print("by half-year:", dict(sorted(Counter(period(b) for b in sample).items())))
        return 0
    _show(sample, {p["id"]: p for p in posts}, args.start, args.stop)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
