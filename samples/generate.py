#!/usr/bin/env python3
"""Deterministic generator of smearwatch's synthetic sample world (stdlib only).

    python samples/generate.py                       # the committed world into samples/
    python samples/generate.py --seed 7 --out DIR    # same world elsewhere
    python samples/generate.py --posts 1000000 --out /tmp/bench [--gzip] [--formats jsonl,twarc2]

The default run writes samples/world/, samples/labelled/ and samples/feeds/ (see README.md).
With --posts it streams a benchmark dump of N normalized posts built from many episodes of the
same campaign structures, plus its truth files; memory stays flat. Same seed, same bytes.
"""

import argparse
import csv
import hashlib
import json
import os
import random
import sys
import time

sys.dont_write_bytecode = True  # keep samples/ free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen_campaigns as C  # noqa: E402
import gen_export as E  # noqa: E402
import gen_text as T  # noqa: E402
import gen_world as W  # noqa: E402

WORLD_BACKGROUND = 1350
TRAIN_BACKGROUND = 200
TRAIN_SMEARS = 25
HELDOUT_BACKGROUND_SHARE = 3  # of 10: background authors whose posts go to heldout


# --- small writers ----------------------------------------------------------------------------------

def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(json.dumps(obj, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def truth_post_row(p):
    c = p["camp"]
    return [p["id"], p["platform"], c.id, c.kind, c.target, c.label]


def truth_account_row(acc):
    return [acc["aid"], acc["platform"], acc["role"], ";".join(sorted(acc["campaigns"])), acc["label"]]


TRUTH_POSTS = ("id", "platform", "campaign", "kind", "target", "label")
TRUTH_ACCOUNTS = ("author_id", "platform", "role", "campaigns", "label")


def labelled(p):
    c = p["camp"]
    return {**W.normalized(p), "label": c.label, "campaign": c.id, "kind": c.kind, "target": c.target}


# --- the committed world -----------------------------------------------------------------------------------

def build_world(seed, reg):
    w = W.World(seed, reg, prefix="c")
    return C.build(w, C.WORLD_SMEARS, C.WORLD_NEGATIVES, WORLD_BACKGROUND, T.WORLD_TARGETS)


def build_train_world(seed, reg):
    """More campaigns on targets the held-out split never has (so a model has clusters to learn)."""
    rng = random.Random(f"smearwatch-train-plan:{seed}")
    smears, negatives = C.random_plan(rng, T.TRAIN_TARGETS, TRAIN_SMEARS, 1, "train")
    w = W.World(f"{seed}-train", reg, prefix="tr")
    return C.build(w, smears, negatives, TRAIN_BACKGROUND, T.TRAIN_TARGETS)


def write_world(w, out):
    d = os.path.join(out, "world")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "posts.jsonl"), "w", encoding="utf-8", newline="") as f:
        for p in w.posts:
            f.write(E.dumps(W.normalized(p)) + "\n")
    write_csv(os.path.join(d, "truth_posts.csv"), TRUTH_POSTS, [truth_post_row(p) for p in w.posts])
    accounts = sorted((a for a in w.accounts if a["campaigns"]), key=lambda a: (a["platform"], a["aid"]))
    write_csv(os.path.join(d, "truth_accounts.csv"), TRUTH_ACCOUNTS, [truth_account_row(a) for a in accounts])
    write_json(os.path.join(d, "campaigns.json"), [c.summary() for c in w.campaigns])
    write_json(os.path.join(d, "targets.json"), [
        {"id": t["id"], "name": t["name"], "kind": t["kind"], "role": t["role"], "aliases": t["aliases"],
         "solidarity_hashtag": C.solidarity_tag(t), "split": split_of_target(t["id"])} for t in T.WORLD_TARGETS])


def split_of_target(tid):
    splits = {s for (_, t, _, _, s) in C.WORLD_SMEARS if t == tid}
    return splits.pop() if len(splits) == 1 else "mixed"


def background_split(p):
    digest = hashlib.md5(f"{p['platform']}:{p['acc']['aid']}".encode()).hexdigest()
    return "heldout" if int(digest[:8], 16) % 10 < HELDOUT_BACKGROUND_SHARE else "train"


def post_split(p):
    c = p["camp"]
    return background_split(p) if c.split == "by-account" else c.split


def write_labelled(world, train_world, out):
    d = os.path.join(out, "labelled")
    os.makedirs(d, exist_ok=True)
    train = [p for p in world.posts if post_split(p) == "train"] + train_world.posts
    heldout = [p for p in world.posts if post_split(p) == "heldout"]
    for name, posts in (("train.jsonl", train), ("heldout.jsonl", heldout)):
        with open(os.path.join(d, name), "w", encoding="utf-8", newline="") as f:
            for p in posts:
                f.write(E.dumps(labelled(p)) + "\n")
    # unique (text, label) pairs: retweets and copies add no text; a text with both labels keeps both
    rows = list(dict.fromkeys((p["text"], "smear" if p["camp"].label else "not_smear") for p in train if p["text"].strip()))
    write_csv(os.path.join(d, "train_text.csv"), ("text", "label"), rows)
    return {"train": split_stats(train), "heldout": split_stats(heldout)}


def split_stats(posts):
    camps = {}
    for p in posts:
        camps.setdefault(p["camp"].id, p["camp"])
    kinds = {}
    for c in camps.values():
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    return {"posts": len(posts), "smear_posts": sum(p["camp"].label for p in posts),
            "campaigns": len(camps), "campaigns_by_kind": dict(sorted(kinds.items())),
            "targets": sorted({c.target for c in camps.values() if c.target})}


# --- feeds with planted edge cases ---------------------------------------------------------------------------

# Malformed records are planted before a writer's 4th, 12th and 24th post (CSV quote: at the end).
POSITIONS = (3, 11, 23)
BAD_KINDS = {
    "normalized.jsonl": ("json", "missing", "timestamp"), "twarc2_pages.jsonl": ("json", "missing", "timestamp"),
    "twarc2_flat.jsonl": ("json", "missing", "timestamp"), "ioarchive.csv": ("missing", "timestamp", "quote"),
    "telegram_result.json": ("missing", "timestamp"), "vk_wall.json": ("missing", "timestamp"),
    "crowdtangle_facebook.csv": ("missing", "timestamp", "quote"), "crowdtangle_instagram.csv": ("missing", "timestamp"),
    "generic.csv": ("missing", "timestamp", "quote"), "outlets_rss": ("missing", "timestamp"),
    "outlets_atom": ("missing", "timestamp"),
}


FEED_WINDOW = (W.at(2020, 4, 28), W.at(2020, 5, 3, 12))


def feed_subset(w):
    """The smear days (28 April - 3 May noon), plus every parent a kept post reposts or replies to."""
    lo, hi = FEED_WINDOW
    keep = set()
    for p in w.posts:
        if lo <= p["ts"] < hi:
            while p is not None and p["seq"] not in keep:
                keep.add(p["seq"])
                p = p["repost"] or p["reply"]
    return [p for p in w.posts if p["seq"] in keep]


def write_feeds(w, out, formats):
    d = os.path.join(out, "feeds")
    ex = E.Exports(d, formats)
    lo, hi = FEED_WINDOW
    ex.services([s for s in w.service if lo <= s[1] < hi])
    seen = {}
    for p in feed_subset(w):
        for writer in ex.by_platform[p["platform"]] + ex.all:
            if isinstance(writer, E.FeedWriter):
                continue
            n = seen.get(writer.name, 0)
            inline = [k for k in BAD_KINDS.get(writer.name, ()) if k != "quote"]
            if n in POSITIONS[:len(inline)]:
                writer.bad(inline[POSITIONS.index(n)])
            seen[writer.name] = n + 1
        ex.add(p)
    # RSS/Atom plant inside the first outlet's file; CSVs end with a record whose quote never closes.
    for writer in ex.writers:
        kinds = BAD_KINDS.get(writer.name, ())
        if isinstance(writer, E.FeedWriter):
            for k in kinds:
                writer.bad(k)
        elif "quote" in kinds:
            writer.bad("quote")
    expected = ex.close()
    for native, twin in (("ioarchive.csv", "ioarchive.twin.jsonl"), ("telegram_result.json", "telegram.twin.jsonl")):
        if native in expected:
            n = expected[native]["posts"]
            expected[twin] = {"format": "jsonl", "platform": expected[native]["platform"], "records": n, "posts": n,
                              "rejected": [], "skipped": [], "twin_of": native}
    if "generic.csv" in expected:
        expected["generic.csv"].update(map=E.GenericCsvWriter.MAP, list_separator=" ")
    notes = {
        "ids": "Every valid record normalizes to the id and author_id of samples/world/posts.jsonl (docs/formats.md).",
        "line": "1-based: physical line of the record's first line (JSONL, CSV incl. header line 1), message number "
                "in `messages` (Telegram), item number in `response.items` (VK), entry number in file order (RSS/Atom).",
        "reasons": "json = not JSON; missing = a required field is absent or empty; timestamp = unparseable or "
                   "impossible date; quote = CSV quote never closed (runs to end of file); service = Telegram service message.",
    }
    write_json(os.path.join(d, "EXPECTED.json"), {"notes": notes, "files": expected})
    return expected


# --- benchmark dump ---------------------------------------------------------------------------------------------

def bench(args):
    """Stream N posts from successive episodes (each a full random plan); flat memory."""
    out = args.out
    os.makedirs(out, exist_ok=True)
    reg = W.Registry()
    targets = T.WORLD_TARGETS + T.TRAIN_TARGETS
    posts_path = os.path.join(out, "posts.jsonl" + (".gz" if args.gzip else ""))
    fmts = parse_formats(args.formats) if args.formats else ()
    ex = E.Exports(os.path.join(out, "feeds"), fmts) if fmts else None
    written, ep, t0 = 0, 0, time.time()
    outlets_seen = set()  # web authors are outlet titles, the same in every episode
    with E.open_out(posts_path) as fp, E.open_out(os.path.join(out, "truth_posts.csv")) as ft, \
            E.open_out(os.path.join(out, "truth_accounts.csv")) as fa:
        ft.write(",".join(TRUTH_POSTS) + "\n")
        fa.write(",".join(TRUTH_ACCOUNTS) + "\n")
        tw, aw = csv.writer(ft, lineterminator="\n"), csv.writer(fa, lineterminator="\n")
        while written < args.posts:
            rng = random.Random(f"smearwatch-bench:{args.seed}:{ep}")
            smears, negatives = C.random_plan(rng, targets, 8, 1, "bench")
            w = C.build(W.World(f"{args.seed}:bench:{ep}", reg, prefix=f"e{ep:05d}-"), smears, negatives, 1500, targets)
            if ex:
                ex.services(w.service)
            for p in w.posts:
                if written >= args.posts:
                    break
                fp.write(E.dumps(W.normalized(p)) + "\n")
                tw.writerow(truth_post_row(p))
                if ex:
                    ex.add(p)
                written += 1
            for acc in w.accounts:
                if acc["campaigns"] and (acc["platform"] != "web" or acc["aid"] not in outlets_seen):
                    outlets_seen.add(acc["aid"]) if acc["platform"] == "web" else None
                    aw.writerow(truth_account_row(acc))
            ep += 1
            if ep % 20 == 0:
                print(f"\r{written:,}/{args.posts:,} posts ({time.time() - t0:.0f}s)", end="", file=sys.stderr)
    if ex:
        ex.close()
    print(f"\r{written:,} posts in {ep} episodes, {time.time() - t0:.1f}s -> {out}", file=sys.stderr)


def parse_formats(value):
    if value in ("all", ""):
        return E.FORMATS
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [f for f in chosen if f not in E.FORMATS]
    if unknown:
        raise SystemExit(f"unknown format(s): {', '.join(unknown)}; choose from {', '.join(E.FORMATS)} or all")
    return chosen


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", default="7", help="random seed (default 7, the committed world)")
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)), help="output directory (default samples/)")
    ap.add_argument("--posts", type=int, default=0, help="write a benchmark dump of N normalized posts instead")
    ap.add_argument("--gzip", action="store_true", help="with --posts: write posts.jsonl.gz")
    ap.add_argument("--formats", default=None,
                    help=f"native exports: all or a comma list of {','.join(E.FORMATS)} (default: all for the world, none for --posts)")
    args = ap.parse_args(argv)
    if args.posts:
        bench(args)
        return
    t0 = time.time()
    reg = W.Registry()
    world = build_world(args.seed, reg)
    train_world = build_train_world(args.seed, reg)
    write_world(world, args.out)
    stats = write_labelled(world, train_world, args.out)
    expected = write_feeds(world, args.out, parse_formats(args.formats or "all"))
    print(f"world: {len(world.posts)} posts, {len(world.campaigns)} campaigns; train {stats['train']['posts']} / "
          f"heldout {stats['heldout']['posts']} posts; {len(expected)} feed files; {time.time() - t0:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
