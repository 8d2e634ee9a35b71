#!/usr/bin/env python3
"""Coordination against CooRTweet: its published method on its real data, and its simulator's known truth.

    .venv/bin/python bench/coortweet.py --repo PATH [--cache DIR] [--model DIR] [--seeds 5]

CooRTweet (github.com/nicolarighetti/CooRTweet, MIT; Righetti & Balluff 2025, Computational Communication
Research 7(1)) is an R package. PATH is a clone or bare git directory of it (docs/benchmarks-real.md).

(a) `russian_coord_tweets` (data/russian_coord_tweets.rda: 35,125 anonymized retweets of pro-government Russian
    Twitter, Kulichkina, Righetti & Waldherr 2024, New Media & Society): CooRTweet's method, reimplemented below
    from its R source (`detect_groups` with the vignette's time_window 60 and min_participation 2, then
    `generate_coordinated_network` with edge_weight 0.5 and subgraph 1: the edges heavier than the median edge
    weight and their components), next to smearwatch's clusters of the same retweets (each share a post with
    `repost_of` = the retweeted object). Prints the accounts found by both, by one only, their Jaccard, and how
    clusters line up with components.
(b) `simulate_data` (R/simulate_data.R) ported: coordinated accounts share objects within time_window, the others
    only further apart. Prints precision and recall of coordinated accounts for smearwatch's clusters (any
    cluster the coordination judgement calls coordinated, smear or not: this measures coordination) and for the
    reimplementation.

Reading the .rda file needs the pure-Python `rdata` package (bench only: `.venv/bin/pip install rdata`); the
rows are kept as JSONL in the bench cache, so later runs need neither rdata nor the repository.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from realdata import RepoFiles, cache_dir, is_smear, read_jsonl, write_jsonl  # noqa: E402

from worker.batch_scoring import score_posts  # noqa: E402

REPO = "nicolarighetti/CooRTweet"
RDA_PATH = "data/russian_coord_tweets.rda"
COLUMNS = ("object_id", "account_id", "content_id", "timestamp_share")


# ---- CooRTweet, reimplemented ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Share:
    object_id: str
    account_id: str
    content_id: str
    timestamp_share: float


@dataclass(frozen=True)
class CoShare:
    """One row of detect_groups' result: two shares of one object; `content_id` is the older one."""

    object_id: str
    content_id: str
    content_id_y: str
    account_id: str
    account_id_y: str
    time_delta: float


def detect_groups(shares: list[Share], time_window: float = 10, min_participation: int = 2,
                  remove_loops: bool = True) -> list[CoShare]:
    """R/detect_groups.R: pairs of shares of the same object within `time_window` seconds.

    As `do_detect_groups`: keep accounts with at least `min_participation` shares; per object, every pair of
    shares at most `time_window` apart (`calc_group_combinations`); without loops (`do_remove_loops`: the object
    itself, the same content or the same account on both sides); then `filter_min_participation`: keep pairs in
    which at least one side's account has `min_participation` shares among the paired contents.
    """
    per_account = Counter(s.account_id for s in shares)
    kept = [s for s in shares if per_account[s.account_id] >= min_participation]
    by_object: dict[str, list[Share]] = defaultdict(list)
    for s in kept:
        by_object[s.object_id].append(s)
    pairs = []
    for object_id, group in by_object.items():
        group.sort(key=lambda s: (s.timestamp_share, s.content_id))
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if b.timestamp_share - a.timestamp_share > time_window:
                    break
                pairs.append(CoShare(object_id, a.content_id, b.content_id, a.account_id, b.account_id,
                                     b.timestamp_share - a.timestamp_share))
    if remove_loops:
        pairs = [p for p in pairs if p.object_id not in (p.content_id, p.content_id_y)
                 and p.content_id != p.content_id_y and p.account_id != p.account_id_y]
    if min_participation >= 1:
        paired = {c for p in pairs for c in (p.content_id, p.content_id_y)}
        counts = Counter(s.account_id for s in kept if s.content_id in paired)
        active = {s.content_id for s in kept if s.content_id in paired and counts[s.account_id] >= min_participation}
        pairs = [p for p in pairs if p.content_id in active or p.content_id_y in active]
    return pairs


def coordinated_network(pairs: list[CoShare], edge_weight: float = 0.5) -> dict[tuple[str, str], int]:
    """R/generate_coordinated_network.R with subgraph = 1: account pairs weighted by their co-shares, kept when
    the weight exceeds the `edge_weight` quantile of all weights (R's default quantile type 7 = numpy linear)."""
    weights = Counter((min(p.account_id, p.account_id_y), max(p.account_id, p.account_id_y)) for p in pairs)
    if not weights:
        return {}
    threshold = float(np.quantile(np.fromiter(weights.values(), float), edge_weight))
    return {edge: w for edge, w in sorted(weights.items()) if w > threshold}


def components(edges) -> list[set[str]]:
    """Connected components (sets of accounts) of an undirected edge list, largest first."""
    parent: dict[str, str] = {}

    def find(a):
        parent.setdefault(a, a)
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in edges:
        parent[find(a)] = find(b)
    groups: dict[str, set[str]] = defaultdict(set)
    for a in list(parent):
        groups[find(a)].add(a)
    return sorted(groups.values(), key=lambda g: (-len(g), min(g)))


# ---- simulate_data, ported --------------------------------------------------------------------------------

def simulate_data(rng: np.random.Generator, approx_size: int = 200, n_accounts_coord: int = 5,
                  n_accounts_noncoord: int = 4, n_objects: int = 5, min_participation: int = 3,
                  time_window: int = 10, lambda_coord: float | None = None,
                  lambda_noncoord: float | None = None) -> tuple[list[Share], list[CoShare], set[str]]:
    """R/simulate_data.R: (input shares, the pairs detect_groups should find, the coordinated accounts).

    Every pair of coordinated accounts co-shares Poisson(lambda_coord) + min_participation times, B within
    0..time_window seconds of A; every pair of other accounts Poisson(lambda_noncoord) times, time_window + 2 ..
    2 * time_window + 1 seconds apart. Events are spaced so that no two events come within time_window. The
    lambdas default from `approx_size` as in R. numpy's generator replaces R's: same distributions, not the same
    draws.
    """
    if min(n_accounts_coord, n_accounts_noncoord, n_objects, time_window) < 1:
        raise ValueError("One input parameter is 0 or negative, please check.")
    if lambda_coord is None and lambda_noncoord is None:
        lambda_coord = (approx_size / 4) / (n_accounts_coord * (n_accounts_coord - 1) / 2)
        lambda_noncoord = (approx_size / 4) / (n_accounts_noncoord * (n_accounts_noncoord - 1) / 2)

    def pair_rows(first: int, n: int, lam: float, extra: int) -> list[tuple[int, int]]:
        # R fills the upper triangle column by column and repeats each pair N times (pairs with N = 0 dropped)
        ids = range(first, first + n)
        tri = [(i, j) for j in ids for i in ids if i < j]
        counts = rng.poisson(lam, len(tri)) + extra
        return [pair for pair, k in zip(tri, counts, strict=True) for _ in range(int(k))]

    coord = pair_rows(1, n_accounts_coord, lambda_coord, min_participation)
    noncoord = pair_rows(n_accounts_coord + 1, n_accounts_noncoord, lambda_noncoord, 0)
    obj_coord = rng.integers(1, n_objects + 1, len(coord))
    obj_noncoord = rng.integers(1, n_objects + 1, len(noncoord))
    day = date(2000, 1, 1) + timedelta(days=int(rng.integers(0, (date(2020, 12, 31) - date(2000, 1, 1)).days + 1)))
    t0 = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
    a_coord = t0 + np.arange(len(coord)) * (2 * time_window + 1)
    d_coord = rng.integers(0, time_window + 1, len(coord))
    noise = 1 + time_window + rng.integers(1, time_window + 1, len(noncoord))
    interval = int(noise.max()) * 2 if len(noncoord) else 2 * (2 * time_window + 1)
    t1 = (a_coord + d_coord).max() + interval if len(coord) else t0
    a_noncoord = t1 + np.arange(len(noncoord)) * interval
    rows = ([(a, b, o, ta, d, True) for (a, b), o, ta, d in zip(coord, obj_coord, a_coord, d_coord, strict=True)]
            + [(a, b, o, ta, d, False)
               for (a, b), o, ta, d in zip(noncoord, obj_noncoord, a_noncoord, noise, strict=True)])
    n_total = n_accounts_coord + n_accounts_noncoord
    width_acc, width_obj, width_share = len(str(n_total)), len(str(n_objects)), len(str(2 * len(rows)))

    def acc(i):
        return f"account_{i:0{width_acc}d}"

    shares, truth_pairs = set(), []
    for k, (a, b, o, ta, d, is_coord) in enumerate(rows):
        ca, cb = f"share_{k + 1:0{width_share}d}", f"share_{len(rows) + k + 1:0{width_share}d}"
        obj = f"object_{o:0{width_obj}d}"
        shares.add(Share(obj, acc(a), ca, float(ta)))
        shares.add(Share(obj, acc(b), cb, float(ta + d)))
        if is_coord:
            truth_pairs.append(CoShare(obj, ca, cb, acc(a), acc(b), float(d)))
    coordinated = {acc(i) for i in range(1, n_accounts_coord + 1)}
    return sorted(shares, key=lambda s: s.content_id), truth_pairs, coordinated


# ---- smearwatch on shares ---------------------------------------------------------------------------------

def as_posts(shares: list[Share]) -> list[dict]:
    """Each share as a normalized post: a pure repost of its object by its account."""
    return [{"id": s.content_id, "platform": "twitter", "author_id": s.account_id, "text": "",
             "created_at": datetime.fromtimestamp(s.timestamp_share, UTC).isoformat(), "repost_of": s.object_id}
            for s in shares]


def smearwatch_clusters(shares: list[Share], model: str | None, window: float | None) -> list[dict]:
    result = score_posts(as_posts(shares), model=model, window=window)
    if result.rejected:
        raise SystemExit(f"smearwatch rejected {len(result.rejected)} posts: {result.rejected[0]}")
    # coordination, not smear: the clusters the coordination judgement calls coordinated (label smear or
    # coordinated); every cluster when the output has no verdict
    return [c for c in result.clusters() if c.get("label", "coordinated") != "organic"]


def accounts_of(clusters: list[dict]) -> list[set[str]]:
    return [set(c["accounts"]) for c in clusters]


# ---- figures ----------------------------------------------------------------------------------------------

def agreement(found_a: set[str], found_b: set[str]) -> dict:
    both = found_a & found_b
    union = found_a | found_b
    return {"both": len(both), "only_a": len(found_a - found_b), "only_b": len(found_b - found_a),
            "jaccard": len(both) / len(union) if union else 1.0}


def alignment(comps: list[set[str]], clusters: list[set[str]]) -> dict:
    """How clusters line up with components, on the accounts both found: components whose found accounts sit in
    one cluster, and clusters that hold accounts of more than one component."""
    comp_of = {a: i for i, comp in enumerate(comps) for a in comp}
    cluster_of: dict[str, set[int]] = defaultdict(set)
    for j, cl in enumerate(clusters):
        for a in cl:
            cluster_of[a].add(j)
    whole = split = 0
    for comp in comps:
        held = set().union(*(cluster_of.get(a, set()) for a in comp))
        if len(held) == 1:
            whole += 1
        elif len(held) > 1:
            split += 1
    merged = sum(1 for cl in clusters if len({comp_of[a] for a in cl if a in comp_of}) > 1)
    return {"components_in_one_cluster": whole, "components_split": split, "clusters_joining_components": merged}


def precision_recall(found: set[str], truth: set[str]) -> tuple[float, float]:
    tp = len(found & truth)
    return (tp / len(found) if found else 0.0), tp / len(truth) if truth else 0.0


def load_russian_coord_tweets(repo_path: str | None, cache: str | None) -> list[Share]:
    out = cache_dir("coortweet", cache) / "russian_coord_tweets.jsonl"
    if not out.exists():
        if repo_path is None:
            sys.exit(f"{out}: not converted yet; give --repo PATH (a clone or git dir of {REPO})")
        import rdata  # noqa: PLC0415 - optional, bench-only: reads the .rda once, the cache serves later runs

        with tempfile.NamedTemporaryFile(suffix=".rda") as f:
            f.write(RepoFiles(repo_path).read(RDA_PATH))
            f.flush()
            frame = rdata.read_rda(f.name)["russian_coord_tweets"]
        columns = [list(frame[c].astype(str if c != "timestamp_share" else float)) for c in COLUMNS]
        write_jsonl(out, (dict(zip(COLUMNS, row, strict=True)) for row in zip(*columns, strict=True)))
    return [Share(r["object_id"], r["account_id"], r["content_id"], float(r["timestamp_share"]))
            for r in read_jsonl(out)]


def run_real(shares: list[Share], model: str | None, time_window: int, min_participation: int,
             edge_weight: float) -> None:
    print(f"(a) russian_coord_tweets: {len(shares):,} shares, {len({s.account_id for s in shares}):,} accounts, "
          f"{len({s.object_id for s in shares}):,} objects")
    pairs = detect_groups(shares, time_window, min_participation)
    network = coordinated_network(pairs, edge_weight)
    comps = components(network)
    coor = set().union(*comps) if comps else set()
    print(f"  CooRTweet (time_window {time_window}, min_participation {min_participation}, edge_weight "
          f"{edge_weight}, subgraph 1): {len(pairs):,} co-shares, {len(network):,} edges kept, "
          f"{len(coor):,} accounts in {len(comps)} components (largest {len(comps[0]) if comps else 0})")
    for label, window in (("model windows", None), (f"window {time_window} s", float(time_window))):
        records = smearwatch_clusters(shares, model, window)
        clusters = accounts_of(records)
        found = set().union(*clusters) if clusters else set()
        agree = agreement(coor, found)
        align = alignment(comps, clusters)
        print(f"  smearwatch ({label}): {len(found):,} accounts in {len(clusters)} clusters "
              f"(largest {max((len(c) for c in clusters), default=0)}; smear-flagged "
              f"{sum(is_smear(c) for c in records)})")
        print(f"    accounts: both {agree['both']:,}, CooRTweet only {agree['only_a']:,}, smearwatch only "
              f"{agree['only_b']:,}, Jaccard {agree['jaccard']:.3f}")
        print(f"    components held whole by one cluster {align['components_in_one_cluster']}/{len(comps)}, "
              f"split over clusters {align['components_split']}, clusters joining components "
              f"{align['clusters_joining_components']}/{len(clusters)}")


SETTINGS = (  # (name, simulate_data keyword arguments)
    ("R defaults", {}),
    ("R example", {"n_accounts_coord": 100, "n_accounts_noncoord": 50, "n_objects": 20, "min_participation": 2,
                   "time_window": 10}),
    ("larger", {"approx_size": 20000, "n_accounts_coord": 50, "n_accounts_noncoord": 500, "n_objects": 200,
                "min_participation": 2, "time_window": 60}),
)


def run_simulated(model: str | None, seeds: int, edge_weight: float) -> None:
    print(f"(b) simulate_data, ported ({seeds} seeds per setting; precision / recall of coordinated accounts, "
          "means over seeds)")
    for name, kwargs in SETTINGS:
        tw = kwargs.get("time_window", 10)
        mp = kwargs.get("min_participation", 3)
        scores: dict[str, list[tuple[float, float]]] = defaultdict(list)
        sizes = []
        for seed in range(seeds):
            shares, _, truth = simulate_data(np.random.default_rng(seed), **kwargs)
            sizes.append(len(shares))
            pairs = detect_groups(shares, tw, mp)
            scores["CooRTweet detect_groups"].append(
                precision_recall({a for p in pairs for a in (p.account_id, p.account_id_y)}, truth))
            net = coordinated_network(pairs, edge_weight)
            scores[f"CooRTweet network (edge_weight {edge_weight})"].append(
                precision_recall({a for edge in net for a in edge}, truth))
            for label, window in ((f"smearwatch (window {tw} s)", float(tw)), ("smearwatch (model windows)", None)):
                clusters = accounts_of(smearwatch_clusters(shares, model, window))
                scores[label].append(precision_recall(set().union(*clusters) if clusters else set(), truth))
        params = ", ".join(f"{k}={v}" for k, v in kwargs.items()) or "approx_size=200, 5 coordinated, 4 other, " \
            "5 objects, min_participation=3, time_window=10"
        print(f"  {name} ({params}; {int(np.mean(sizes)):,} shares on average):")
        for label, values in scores.items():
            p, r = np.mean(values, axis=0)
            print(f"    {label:<40} precision {p:.3f}  recall {r:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", help=f"a clone or bare git directory of {REPO}")
    parser.add_argument("--cache", help="bench cache directory (default: the bench_cache setting)")
    parser.add_argument("--model", help="model directory (default: the packaged model)")
    parser.add_argument("--seeds", type=int, default=5, help="simulated worlds per setting")
    parser.add_argument("--time-window", type=int, default=60, help="(a) CooRTweet time_window (vignette: 60)")
    parser.add_argument("--min-participation", type=int, default=2, help="(a) CooRTweet min_participation")
    parser.add_argument("--edge-weight", type=float, default=0.5, help="edge weight quantile (CooRTweet: 0.5)")
    parser.add_argument("--skip-real", action="store_true", help="only the simulated part")
    args = parser.parse_args(argv)
    if not args.skip_real:
        shares = load_russian_coord_tweets(args.repo, args.cache)
        run_real(shares, args.model, args.time_window, args.min_participation, args.edge_weight)
    run_simulated(args.model, args.seeds, args.edge_weight)
    return 0


if __name__ == "__main__":
    sys.exit(main())
