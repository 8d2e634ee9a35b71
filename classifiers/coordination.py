"""Coordination judgement: how unlikely a cluster's co-actions are by chance. Nothing here is fitted.

The null model shuffles each post's time within its day (NULL_SCALE), keeping what it acted on (the reposted
post, the link, the tag, the text, the parent, the named target) and how popular that object was that day. For
a post whose object had `m` other uses within half a day of it, the chance that one of them lands within `g`
seconds of it is

    p(g) = 1 - (1 - 2g / NULL_SCALE) ** m

so a co-action on a rarely used object, seconds apart, is surprising, and one on an object that thousands used
that day is not. Popular objects are down-weighted as well (POPULAR_USES): a link, hashtag or original shared by
thousands of accounts ties no two of them (Pote et al.'s null models; coordinationz's weighting of objects by
rarity; CooRTweet's time window).

Per signal a cluster gets its evidence: posts that co-acted within the signal's window (observed) next to the
number of them one would expect to co-act as closely as they did by chance (expected, the sum of p(gap)). Its `coordination` in [0, 1] is the
mean over its posts of (1 - p(observed gap)) x popularity weight, discounted by the chance that the whole cluster's
co-actions happen by chance (a Poisson tail of observed vs expected over its posts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammainc

NULL_SCALE = 86400.0    # seconds: each post's time is shuffled within its day
POPULAR_USES = 100      # an object used more often than this within a day weighs POPULAR_USES / uses
TIME_RESOLUTION = 1.0   # seconds: timestamps are not finer than this, so a gap of 0 counts as 1 s


@dataclass
class SignalUses:
    """What each post of one signal acted on: parallel (row, key) arrays, and per use its local popularity
    (other uses of the key within half a day either side)."""

    signal: str
    rows: np.ndarray
    keys: np.ndarray
    others: np.ndarray

    @classmethod
    def of(cls, signal: str, rows: np.ndarray, keys: np.ndarray, times: np.ndarray) -> SignalUses:
        return cls(signal, rows, keys, local_uses(rows, keys, times))

    def per_row(self, n: int) -> np.ndarray:
        """Other uses seen by each row (the most popular of its keys: the conservative choice); -1 = no use."""
        out = np.full(n, -1, np.int64)
        np.maximum.at(out, self.rows, self.others)
        return out


def local_uses(rows: np.ndarray, keys: np.ndarray, times: np.ndarray, scale: float = NULL_SCALE) -> np.ndarray:
    """For each (row, key) use: how many other uses of the key fall within scale/2 of it. Linear after a sort."""
    if len(rows) == 0:
        return np.zeros(0, np.int64)
    t = times[rows]
    order = np.lexsort((t, keys))
    k, ts = keys[order], t[order]
    # search in one sorted axis: key-major, time-minor (key offsets keep keys apart)
    span = float(np.nanmax(ts) - np.nanmin(ts)) + scale * 2 + 1.0
    rank = np.cumsum(np.r_[0, k[1:] != k[:-1]])
    axis = rank * span + (ts - np.nanmin(ts))
    lo = np.searchsorted(axis, axis - scale / 2, side="left")
    hi = np.searchsorted(axis, axis + scale / 2, side="right")
    out = np.empty(len(rows), np.int64)
    out[order] = hi - lo - 1
    return out


def chance(gap: np.ndarray, others: np.ndarray, scale: float = NULL_SCALE) -> np.ndarray:
    """p(gap): the chance that one of `others` uniformly shuffled uses lands within `gap` seconds of a post."""
    width = np.minimum(1.0, 2.0 * np.maximum(gap, TIME_RESOLUTION) / scale)
    return 1.0 - np.power(1.0 - width, np.maximum(others, 0))


def popularity_weight(others: np.ndarray) -> np.ndarray:
    return np.minimum(1.0, POPULAR_USES / np.maximum(others + 1, 1))


def judge_all(post_cluster: np.ndarray, n_clusters: int, edge_sets, uses: dict[str, np.ndarray],
              authors: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """Coordination of every cluster at once (vectorized over all evidence edges).

    post_cluster: cluster index per post (-1: none); edge_sets: the kept EdgeSets (both ends of an edge are in one
    cluster); uses[signal]: SignalUses.per_row over the whole input.
    Returns the score per cluster and per cluster its evidence {signal: {posts, accounts, expected,
    median_seconds, weight}}.
    """
    n = len(post_cluster)
    best = np.zeros(n)       # per post: the strongest surprise x popularity weight over its signals
    p_best = np.ones(n)      # and the chance of that co-action
    evidence: list[dict] = [{} for _ in range(n_clusters)]
    by_signal: dict[str, list] = {}
    for es in edge_sets:
        keep = post_cluster[es.a] >= 0
        by_signal.setdefault(es.signal, []).append((es.a[keep], es.b[keep], es.seconds[keep]))
    for signal, chunks in sorted(by_signal.items()):
        a = np.concatenate([c[0] for c in chunks])
        if len(a) == 0:
            continue
        sec = np.concatenate([c[2] for c in chunks])
        both = np.r_[a, np.concatenate([c[1] for c in chunks])]
        gaps = np.r_[sec, sec]
        order = np.lexsort((gaps, both))
        both, gaps = both[order], gaps[order]
        first = np.r_[True, both[1:] != both[:-1]]
        posts, gap = both[first], gaps[first]          # each post's closest co-action of this signal
        others = np.maximum(uses[signal][posts], 1) if signal in uses else np.ones(len(posts), np.int64)
        p_gap = chance(gap, others)
        weight = popularity_weight(others)
        strength = (1.0 - p_gap) * weight
        better = strength > best[posts]
        best[posts[better]] = strength[better]
        p_best[posts[better]] = p_gap[better]
        cl = post_cluster[posts]
        count = np.bincount(cl, minlength=n_clusters)
        expected = np.bincount(cl, p_gap, n_clusters)  # co-actions this close one would expect by chance
        weight_sum = np.bincount(cl, weight, n_clusters)
        n_auth = int(authors.max()) + 2
        pairs = np.unique(cl * n_auth + authors[posts])
        accounts = np.bincount(pairs // n_auth, minlength=n_clusters)
        by_gap = np.lexsort((gap, cl))                 # per cluster, its posts' gaps in order: the median
        start = np.r_[0, np.cumsum(count)[:-1]]
        low = gap[by_gap][np.minimum(start + (count - 1) // 2, len(gap) - 1)]
        high = gap[by_gap][np.minimum(start + count // 2, len(gap) - 1)]
        for c in np.nonzero(count)[0].tolist():
            evidence[c][signal] = {
                "posts": int(count[c]), "accounts": int(accounts[c]), "expected": round(float(expected[c]), 3),
                "median_seconds": round(float((low[c] + high[c]) / 2), 1),
                "weight": round(float(weight_sum[c] / count[c]), 3),
            }
    clustered = post_cluster >= 0
    cl = post_cluster[clustered]
    size = np.bincount(cl, minlength=n_clusters)
    mean_best = np.bincount(cl, best[clustered], n_clusters) / np.maximum(size, 1)
    acting = clustered & (best > 0)
    observed = np.bincount(post_cluster[acting], minlength=n_clusters)
    by_chance = np.bincount(post_cluster[acting], p_best[acting], n_clusters)
    # the chance that this many of its posts co-act as tightly by chance: the Poisson tail P(X >= observed),
    # which is the regularized lower incomplete gamma function
    tail = np.where(observed > 0, gammainc(np.maximum(observed, 1), np.maximum(by_chance, 1e-300)), 1.0)
    return np.round(mean_best * (1.0 - tail), 6), evidence
