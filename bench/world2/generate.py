#!/usr/bin/env python3
"""Generate the second synthetic world (Moldova, autumn 2024): an independent test world for smear detection.

    python bench/world2/generate.py --seed 1 --out DIR [--posts 15000]

Writes DIR/posts.jsonl (normalized posts plus the evaluation fields label, campaign, kind, target),
DIR/campaigns.json and DIR/truth_accounts.csv. Same seed and size, same bytes. Standard library only.
`--posts` is the approximate total: campaigns keep their size (and shrink below the default), the organic
background fills the rest. Below about 3,000 the world comes out larger than asked: every campaign keeps a few
accounts.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from pathlib import Path

import background
import plan
import population
import targets
from world import World

DEFAULT_POSTS = 15000
VIRAL_SIZE = [1.4, 1.0, 0.6, 1.8, 0.5, 0.8]   # how far each viral post travels, relative


def build(seed: int, posts: int) -> World:
    world = World(seed)
    scale = min(1.0, posts / DEFAULT_POSTS)
    organic = population.organic(world, max(300, int(posts * 0.23)))
    influencers = population.influencers(world, 30)
    target_accounts = population.target_accounts(world, targets.TARGETS)
    cast = plan.Cast(world, organic, influencers, scale)

    own = background.own_posts(world, target_accounts, scale)
    news = background.news(world, cast.outlets)
    viral = background.viral_originals(world, influencers, organic)
    own_viral = own["t03-elena-sarbu"]["facebook"][0]   # the doctor's post also spreads on its own

    plan.run_smears(world, cast, own)
    plan.run_negatives(world, cast, viral, own, news)

    remaining = max(posts - len(world.posts), int(posts * 0.4))
    for item, original, size in zip(background.org.VIRAL, viral, VIRAL_SIZE, strict=True):
        background.spread(world, original, organic, max(20, int(remaining * 0.014 * size)), item["quotes"],
                          campaign=f"bg-viral-{item['id']}")
    background.spread(world, own_viral, organic, max(15, int(remaining * 0.012)),
                      {"ro": ["Respect, doamna doctor!", "Așa e!", "Curaj! ❤️"], "ru": ["Уважение!", "Держитесь!"]},
                      campaign="bg-viral-sarbu-post", target="t03-elena-sarbu", median_hours=3.0)
    background.routine_news(world, cast.outlets, max(10, int(remaining * 0.025)))
    background.criticism(world, organic, max(10, int(remaining * 0.035)))
    background.discussion(world, organic, max(10, int(remaining * 0.035)), own, scale)
    background.cover(world, [a for a in world.accounts if a.role in ("troll", "troll_aged") and a.campaigns])
    background.chatter(world, organic + influencers, max(posts - len(world.posts), int(posts * 0.2)))
    world.assign_ids()
    return world


def posts_jsonl(world: World) -> str:
    lines = [json.dumps(world.record(p), ensure_ascii=False, separators=(",", ":"))
             for p in sorted(world.posts, key=lambda p: (p.t, p.id))]
    return "\n".join(lines) + "\n"


def campaigns_json(world: World) -> str:
    groups: dict[str, list] = {}
    for p in world.posts:
        groups.setdefault(p.campaign, []).append(p)
    described = {c.id: c for c in world.campaigns}
    out = []
    for cid in sorted(groups):
        posts = groups[cid]
        c = described.get(cid)
        times = sorted(p.t for p in posts)
        out.append({
            "id": cid,
            "kind": c.kind if c else posts[0].kind,
            "structure": c.structure if c else "organic",
            "target": c.target if c else "",
            "label": c.label if c else 0,
            "description": c.description if c else "",
            "accounts": sorted({p.account.uid for p in posts}),
            "posts": sorted(p.id for p in posts),
            "start": times[0].isoformat(timespec="seconds"),
            "end": times[-1].isoformat(timespec="seconds"),
        })
    return json.dumps(out, ensure_ascii=False, indent=1) + "\n"


def truth_csv(world: World) -> str:
    label: dict[str, int] = {}
    for p in world.posts:
        label[p.account.uid] = max(label.get(p.account.uid, 0), p.label)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["author_id", "role", "label"])
    for a in sorted((a for a in world.accounts if a.uid in label), key=lambda a: a.uid):
        writer.writerow([a.uid, a.role, label[a.uid]])
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True, help="directory to write posts.jsonl, campaigns.json, truth_accounts.csv")
    ap.add_argument("--posts", type=int, default=DEFAULT_POSTS, help="approximate number of posts (default 15000)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    world = build(args.seed, args.posts)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "posts.jsonl").write_text(posts_jsonl(world), encoding="utf-8")
    (out / "campaigns.json").write_text(campaigns_json(world), encoding="utf-8")
    (out / "truth_accounts.csv").write_text(truth_csv(world), encoding="utf-8")
    smear = sum(p.label for p in world.posts)
    coordinated = sum(1 for c in world.campaigns)
    print(f"world2 seed {args.seed}: {len(world.posts)} posts ({smear} smear), "
          f"{len({p.account.uid for p in world.posts})} accounts, {coordinated} coordinated campaigns "
          f"in {time.perf_counter() - started:.1f}s -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
