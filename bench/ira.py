#!/usr/bin/env python3
"""Real coordinated bursts: how smearwatch judges hand-labelled bursts of the IRA's Russian-language tweets.

    .venv/bin/python bench/ira.py [--git-dir /work/.mirror/bet4a+russian-troll-tweets-by-author/repo]
                                  [--data DIR] [--labels bench/labels/ira_bursts.csv] [--scope all|periods]
                                  [--model DIR] [--json FILE]

Data: the per-author CSVs of github.com/bet4a/russian-troll-tweets-by-author (from FiveThirtyEight's
russian-troll-tweets), read from <bench cache>/ira/csv, or --data. With --git-dir (a bare git dir brought by the
fetch tool) the CSVs are first written there from its HEAD. Nothing is downloaded.

Scores the Russian tweets (--scope all: the whole Russian subset; periods: only the days, UTC, that hold a
labelled burst, with a day either side) with `worker.batch_scoring.score_posts`, then maps every labelled burst
(bench/labels/ira_bursts.csv, rubric in docs/rubric-ira-bursts.md) to the clusters holding its posts. A cluster
is a smear when its `label` is "smear" (when clusters carry a label), else when it is `flagged`; a burst is
flagged when most of its posts are in smear clusters. Prints, per class (smear / propaganda / other), the
bursts and the share flagged; the share of bursts kept in one cluster (all of their clustered posts in one
cluster); the biggest cluster; flagged clusters that span more than a day with mostly distinct texts; time and
peak memory; and PASS/FAIL against the bars of issue 11. Exit 1 when a bar is missed.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ira_bursts import read_labels, text_key
from ira_data import cache_dir, load_posts, prepare_cache

from worker.batch_scoring import score_posts

CLASSES = ("smear", "propaganda", "other")
# issue 11, "Real labelled bursts": share flagged as smear per class (at least / at most), bursts in one cluster
BARS = {"smear": (">=", 0.8), "other": ("<=", 0.1), "propaganda": ("<=", 0.3)}
KEPT_BAR = 0.99
LONG = timedelta(days=1)
MOSTLY_DISTINCT = 0.5


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def is_smear(cluster: dict) -> bool:
    """After issue 11 clusters carry `label`; before, `flagged` is the only verdict."""
    return cluster["label"] == "smear" if "label" in cluster else bool(cluster["flagged"])


def in_periods(posts: list[dict], labels: list[dict]) -> list[dict]:
    """The posts of the days (UTC) that hold a labelled burst's post, with a day either side."""
    labelled = {i for row in labels for i in row["tweet_ids"]}
    days = {p["created_at"][:10] for p in posts if p["id"] in labelled}
    keep = set()
    for day in days:
        d = datetime.fromisoformat(day)
        keep.update((d + timedelta(days=k)).strftime("%Y-%m-%d") for k in (-1, 0, 1))
    return [p for p in posts if p["created_at"][:10] in keep]


def burst_outcomes(labels: list[dict], post_cluster: dict[str, str | None], smear_clusters: set[str]) -> list[dict]:
    """Per labelled burst: flagged (most posts in smear clusters), clusters of its posts, posts found/clustered."""
    out = []
    for row in labels:
        found = [i for i in row["tweet_ids"] if i in post_cluster]
        clusters = [post_cluster[i] for i in found if post_cluster[i] is not None]
        in_smear = sum(c in smear_clusters for c in clusters)
        out.append({"burst_id": row["burst_id"], "label": row["label"], "posts": len(row["tweet_ids"]),
                    "found": len(found), "clustered": len(clusters), "clusters": len(set(clusters)),
                    "flagged": in_smear * 2 > len(row["tweet_ids"])})
    return out


def class_figures(outcomes: list[dict]) -> dict:
    figures = {}
    for label in CLASSES:
        rows = [o for o in outcomes if o["label"] == label]
        flagged = sum(o["flagged"] for o in rows)
        figures[label] = {"bursts": len(rows), "flagged": flagged,
                          "flagged_share": flagged / len(rows) if rows else None}
    return figures


def kept_figures(outcomes: list[dict]) -> dict:
    clustered = [o for o in outcomes if o["clustered"]]
    kept = sum(o["clusters"] == 1 for o in clustered)
    return {"bursts": len(outcomes), "with_clustered_posts": len(clustered),
            "not_clustered": len(outcomes) - len(clustered), "kept_in_one": kept,
            "kept_share": kept / len(clustered) if clustered else None,
            "fully_clustered": sum(o["clustered"] == o["posts"] for o in outcomes)}


def describe(cluster: dict, texts: dict[str, str]) -> dict:
    """Posts, accounts, distinct-text share (texts compared after text_key) and time span of a cluster."""
    posts = cluster["posts"]
    distinct = len({text_key(texts[i]) for i in posts})
    start, end = datetime.fromisoformat(cluster["start"]), datetime.fromisoformat(cluster["end"])
    return {"cluster": cluster["cluster"], "posts": len(posts), "accounts": len(cluster["accounts"]),
            "distinct_text_share": distinct / len(posts), "span_hours": (end - start).total_seconds() / 3600,
            "smear": is_smear(cluster), "label": cluster.get("label"), "kind": cluster.get("kind"),
            "score": cluster.get("score")}


def long_mixed_flagged(clusters: list[dict], texts: dict[str, str]) -> list[dict]:
    """Smear clusters spanning more than a day whose texts are mostly distinct (unrelated texts joined)."""
    found = []
    for c in clusters:
        if not is_smear(c):
            continue
        span = datetime.fromisoformat(c["end"]) - datetime.fromisoformat(c["start"])
        if span > LONG:
            d = describe(c, texts)
            if d["distinct_text_share"] > MOSTLY_DISTINCT:
                found.append(d)
    return sorted(found, key=lambda d: -d["posts"])


def check(name: str, value, op: str, bar: float) -> bool:
    ok = value is not None and (value >= bar if op == ">=" else value <= bar)
    shown = "n/a" if value is None else f"{value:.5g}"
    print(f"  {'PASS' if ok else 'FAIL'}  {name}: {shown} (bar {op} {bar})")
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--git-dir", type=Path, help="bare git dir of bet4a/russian-troll-tweets-by-author: "
                                                     "write its CSVs into the cache first")
    parser.add_argument("--data", type=Path, help="the CSV directory (default: <bench cache>/ira/csv)")
    parser.add_argument("--labels", type=Path, default=Path(__file__).resolve().parent / "labels/ira_bursts.csv")
    parser.add_argument("--scope", choices=("all", "periods"), default="all",
                        help="score every Russian tweet, or only the days around the labelled bursts")
    parser.add_argument("--model", help="model directory (default: the packaged model)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    data = args.data or cache_dir() / "csv"
    if args.git_dir:
        prepared = prepare_cache(args.git_dir, data)
        print(f"cache: {prepared['written']} files from {prepared['commit'][:12]} -> {data} "
              f"({len(prepared['missing'])} absent from the snapshot)")
    if not data.is_dir():
        print(f"no data in {data}: fetch bet4a/russian-troll-tweets-by-author and pass --git-dir, or --data",
              file=sys.stderr)
        return 2

    labels = read_labels(args.labels)
    t0 = time.perf_counter()
    posts = load_posts(data)
    if args.scope == "periods":
        posts = in_periods(posts, labels)
    read_seconds = time.perf_counter() - t0
    texts = {p["id"]: p["text"] for p in posts}
    print(f"posts: {len(posts)} Russian tweets ({args.scope}), read in {read_seconds:.1f} s")

    t0 = time.perf_counter()
    result = score_posts(posts, model=args.model)
    score_seconds = time.perf_counter() - t0
    clusters = result.clusters()
    post_cluster = {s["id"]: s["cluster"] for s in result.scores()}
    smear_clusters = {c["cluster"] for c in clusters if is_smear(c)}
    verdict = "label == 'smear'" if clusters and "label" in clusters[0] else "flagged"
    print(f"scoring: {score_seconds:.1f} s, peak RSS {peak_rss_mb():.0f} MB (this process, reading included); "
          f"{len(clusters)} clusters, {len(smear_clusters)} smear ({verdict}); rejected {len(result.rejected)}")

    outcomes = burst_outcomes(labels, post_cluster, smear_clusters)
    missing = sum(o["found"] < o["posts"] for o in outcomes)
    if missing:
        print(f"warning: {missing} labelled bursts have posts missing from the scored data")
    per_class = class_figures(outcomes)
    kept = kept_figures(outcomes)
    biggest = describe(max(clusters, key=lambda c: (len(c["posts"]), c["cluster"])), texts) if clusters else None
    long_mixed = long_mixed_flagged(clusters, texts)

    print("\nlabelled bursts, flagged as smear (most posts in smear clusters):")
    for label in CLASSES:
        f = per_class[label]
        share = "n/a" if f["flagged_share"] is None else f"{f['flagged_share']:.3f}"
        print(f"  {label:<11} {f['bursts']:>4} bursts  {f['flagged']:>4} flagged  share {share}")
    print(f"bursts with clustered posts: {kept['with_clustered_posts']} of {kept['bursts']} "
          f"(not clustered: {kept['not_clustered']}; every post clustered: {kept['fully_clustered']}); "
          f"kept in one cluster: {kept['kept_in_one']}")
    if biggest:
        print(f"biggest cluster: {biggest['cluster']} {biggest['posts']} posts, {biggest['accounts']} accounts, "
              f"distinct texts {biggest['distinct_text_share']:.2f}, span {biggest['span_hours']:.1f} h, "
              f"smear {biggest['smear']} (kind {biggest['kind']}, score {biggest['score']})")
    print(f"smear clusters over a day with mostly distinct texts: {len(long_mixed)}")
    for d in long_mixed[:5]:
        print(f"  {d['cluster']} {d['posts']} posts, {d['accounts']} accounts, distinct texts "
              f"{d['distinct_text_share']:.2f}, span {d['span_hours']:.1f} h")

    print("\nacceptance (issue 11, real labelled bursts):")
    ok = [check(f"{label} flagged as smear ({per_class[label]['flagged']} of {per_class[label]['bursts']})",
                per_class[label]["flagged_share"], *BARS[label]) for label in CLASSES]
    ok.append(check(f"bursts kept in one cluster ({kept['kept_in_one']} of {kept['with_clustered_posts']})",
                    kept["kept_share"], ">=", KEPT_BAR))
    no_long = not long_mixed
    print(f"  {'PASS' if no_long else 'FAIL'}  no smear cluster joins mostly distinct texts over a day "
          f"({len(long_mixed)} found)")
    ok.append(no_long)

    if args.json:
        args.json.write_text(json.dumps({
            "posts": len(posts), "scope": args.scope, "read_seconds": read_seconds, "score_seconds": score_seconds,
            "peak_rss_mb": peak_rss_mb(), "clusters": len(clusters), "smear_clusters": len(smear_clusters),
            "verdict": verdict, "classes": per_class, "kept": kept, "biggest": biggest,
            "long_mixed_smear_clusters": long_mixed, "timings": result.timings, "bursts": outcomes},
            indent=2) + "\n")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    raise SystemExit(main())
