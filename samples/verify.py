#!/usr/bin/env python3
"""Check the committed samples: a tiny stdlib reference reader for every export.

    python samples/verify.py [samples-dir]

For every file in feeds/EXPECTED.json it reads the records the way docs/formats.md says, and
checks: post and rejected counts and line numbers match EXPECTED.json; every valid record maps
to a post of world/posts.jsonl with the same (platform, id, author_id); the twins equal what the
reader derives; every smear campaign appears in every social export. Also checks the world:
unique ids, resolvable references, truth files covering every post. Exit 1 on any failure.
"""

import csv
import email.utils
import json
import os
import sys
import xml.etree.ElementTree as ET
from datetime import datetime

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)


def iso(value):
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError, TypeError):
        return None


def strp(value, fmt):
    try:
        return datetime.strptime(value, fmt)
    except (ValueError, TypeError):
        return None


# --- readers: yield ("post", line, dict) or ("reject"/"skip", line, reason) -------------------------------

def read_jsonl(path):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            yield "reject", n, "json"
            continue
        if not r.get("id") or not r.get("author_id") or "text" not in r:
            yield "reject", n, "missing"
        elif iso(r.get("created_at")) is None:
            yield "reject", n, "timestamp"
        else:
            yield "post", n, {"platform": r.get("platform", "unknown"), "id": r["id"], "author_id": r["author_id"]}


def tweet(t, n):
    if not t.get("id") or not t.get("author_id") or "text" not in t:
        return "reject", n, "missing"
    if iso(t.get("created_at")) is None:
        return "reject", n, "timestamp"
    return "post", n, {"platform": "twitter", "id": t["id"], "author_id": t["author_id"]}


def read_twarc2(path):
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            r = json.loads(line)
        except json.JSONDecodeError:
            yield "reject", n, "json"
            continue
        for t in (r["data"] if "data" in r else [r]):
            yield tweet(t, n)


def csv_records(path):
    """(first line, row dict or None when the record has the wrong number of fields)."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        start = reader.line_num + 1
        for row in reader:
            yield start, (dict(zip(header, row, strict=True)) if len(row) == len(header) else None)
            start = reader.line_num + 1


def read_csv_with(path, platform_of, id_col, author_col, time_col, time_fmt):
    for n, row in csv_records(path):
        if row is None:
            yield "reject", n, "quote"
        elif not row[id_col] or not row[author_col]:
            yield "reject", n, "missing"
        elif strp(row[time_col], time_fmt) is None and iso(row[time_col]) is None:
            yield "reject", n, "timestamp"
        else:
            yield "post", n, {"platform": platform_of(row), "id": row[id_col], "author_id": row[author_col]}


def read_telegram(path):
    data = json.load(open(path, encoding="utf-8"))
    for n, m in enumerate(data["messages"], 1):
        if m.get("type") == "service":
            yield "skip", n, "service"
        elif not m.get("from_id"):
            yield "reject", n, "missing"
        elif not str(m.get("date_unixtime", "")).isdigit():
            yield "reject", n, "timestamp"
        else:
            yield "post", n, {"platform": "telegram", "id": f"{data['id']}_{m['id']}", "author_id": m["from_id"], "raw": m}


def read_vk(path):
    data = json.load(open(path, encoding="utf-8"))["response"]
    for n, it in enumerate(data["items"], 1):
        if "from_id" not in it or "id" not in it:
            yield "reject", n, "missing"
        elif not isinstance(it.get("date"), int):
            yield "reject", n, "timestamp"
        else:
            yield "post", n, {"platform": "vk", "id": f"{it['owner_id']}_{it['id']}", "author_id": str(it["from_id"]), "raw": it}


def read_feed(path):
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.parse(path).getroot()
    if root.tag == "rss":
        channel = root.find("channel")
        title = channel.findtext("title")
        for n, item in enumerate(channel.findall("item"), 1):
            ident = item.findtext("guid") or item.findtext("link")
            date = item.findtext("pubDate")
            if not date:
                yield "reject", n, "missing"
                continue
            try:
                email.utils.parsedate_to_datetime(date)
            except (TypeError, ValueError):
                yield "reject", n, "timestamp"
                continue
            yield "post", n, {"platform": "web", "id": ident, "author_id": title}
    else:
        title = root.findtext("a:title", namespaces=ns)
        for n, e in enumerate(root.findall("a:entry", ns), 1):
            link = e.find("a:link", ns)
            ident = e.findtext("a:id", namespaces=ns) or (link.get("href") if link is not None else None)
            date = e.findtext("a:published", namespaces=ns) or e.findtext("a:updated", namespaces=ns)
            if not date:
                yield "reject", n, "missing"
            elif iso(date) is None:
                yield "reject", n, "timestamp"
            else:
                yield "post", n, {"platform": "web", "id": ident, "author_id": title}


def reader_for(name, info):
    if name.endswith(".twin.jsonl") or name == "normalized.jsonl":
        return read_jsonl
    fmt = info["format"]
    if fmt == "twarc2":
        return read_twarc2
    if fmt == "ioarchive":
        return lambda p: read_csv_with(p, lambda r: "twitter", "tweetid", "userid", "tweet_time", "%Y-%m-%d %H:%M")
    if fmt == "crowdtangle" and info["platform"] == "facebook":
        return lambda p: read_csv_with(p, lambda r: "facebook", "URL", "Facebook Id", "Post Created", "%Y-%m-%d %H:%M:%S UTC")
    if fmt == "crowdtangle":
        return lambda p: read_csv_with(p, lambda r: "instagram", "URL", "User Name", "Post Created", "%Y-%m-%d %H:%M:%S UTC")
    if fmt == "csv":
        m = info["map"]
        return lambda p: read_csv_with(p, lambda r: r[m["platform"]], m["id"], m["author_id"], m["created_at"], "%Y-%m-%d %H:%M:%S%z")
    if fmt == "telegram":
        return read_telegram
    if fmt == "vk":
        return read_vk
    return read_feed


# --- checks ---------------------------------------------------------------------------------------------------

def load_world(base):
    posts = [json.loads(line) for line in open(os.path.join(base, "world", "posts.jsonl"), encoding="utf-8")]
    keys = {(p["platform"], p["id"]) for p in posts}
    check(len(keys) == len(posts), "world: duplicate (platform, id)")
    for p in posts:
        for ref in ("reply_to",):
            if p[ref]:
                check((p["platform"], p[ref]) in keys, f"world: {p['id']} {ref} {p[ref]} not found")
        if p["repost_of"] and p["platform"] != "telegram":
            check((p["platform"], p["repost_of"]) in keys, f"world: {p['id']} repost_of {p['repost_of']} not found")
    truth = {(r["platform"], r["id"]): r for r in csv.DictReader(open(os.path.join(base, "world", "truth_posts.csv"), encoding="utf-8"))}
    check(set(truth) == keys, "world: truth_posts.csv does not cover exactly the posts")
    return {(p["platform"], p["id"]): p for p in posts}, truth


def verify_feeds(base, world, truth):
    expected = json.load(open(os.path.join(base, "feeds", "EXPECTED.json"), encoding="utf-8"))["files"]
    smears = {r["campaign"] for r in truth.values() if r["label"] == "1"}
    twins = {"ioarchive.csv": "ioarchive.twin.jsonl", "telegram_result.json": "telegram.twin.jsonl"}
    union = {}
    for name, info in sorted(expected.items()):
        path = os.path.join(base, "feeds", name)
        got = list(reader_for(name, info)(path))
        posts = [r for kind, _, r in got if kind == "post"]
        rejected = [{"line": n, "reason": r} for kind, n, r in got if kind == "reject"]
        skipped = [{"line": n, "reason": r} for kind, n, r in got if kind == "skip"]
        check(len(posts) == info["posts"], f"{name}: {len(posts)} posts, EXPECTED says {info['posts']}")
        check(rejected == info["rejected"], f"{name}: rejected {rejected} != EXPECTED {info['rejected']}")
        check(skipped == info["skipped"], f"{name}: skipped differ from EXPECTED")
        for r in posts:
            w = world.get((r["platform"], r["id"]))
            check(w is not None and w["author_id"] == r["author_id"], f"{name}: {r['platform']} {r['id']} not in world or other author")
        camps = {truth[(r["platform"], r["id"])]["campaign"] for r in posts if (r["platform"], r["id"]) in truth}
        union.setdefault(name.split("/")[0], set()).update(camps)
        if name in twins:
            twin = [json.loads(line) for line in open(os.path.join(base, "feeds", twins[name]), encoding="utf-8")]
            check([t["id"] for t in twin] == [r["id"] for r in posts], f"{twins[name]}: ids differ from {name}")
            check([t["author_id"] for t in twin] == [r["author_id"] for r in posts], f"{twins[name]}: authors differ")
        for t in ([json.loads(line) for line in open(os.path.join(base, "feeds", twins[name]), encoding="utf-8")]
                  if name in twins else []):
            w = world[(t["platform"], t["id"])]
            check(t["text"] == w["text"] and t["repost_of"] == w["repost_of"] and t["reply_to"] == w["reply_to"],
                  f"{twins[name]}: {t['id']} differs from world")
            check(iso(t["created_at"]) and abs((iso(t["created_at"]) - iso(w["created_at"])).total_seconds()) < 60,
                  f"{twins[name]}: {t['id']} created_at differs")
    for group, camps in sorted(union.items()):
        if group.endswith("twin.jsonl"):
            continue
        missing = smears - camps
        check(not missing, f"{group}: smear campaigns missing: {sorted(missing)}")
    return expected


def main():
    base = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    world, truth = load_world(base)
    expected = verify_feeds(base, world, truth)
    for msg in FAILS[:50]:
        print("FAIL", msg)
    print(f"{len(world)} world posts, {len(expected)} feed files checked: {len(FAILS)} failures")
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
