"""Coordination signals: pairs of posts by different accounts that acted alike within a time window.

Every signal works the same way, in linear time: give each post zero or more *keys* (the reposted post id, the
parent post id, a normalized URL, a rare hashtag, an LSH band of its text, the target a high-scoring post
attacks); sort posts by (key, time); link each post to the nearest earlier and later post *by a different
account* with the same key, if they are within the signal's window. Each link is an evidence edge: the two
posts, the seconds between them and their text similarity. Nothing compares all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifiers.text import multi_ngram_hashes

SIGNALS = ("co_repost", "near_duplicate", "co_link", "co_hashtag", "co_reply", "burst")


@dataclass(frozen=True)
class Edge:
    """Evidence: post rows `row_a` and `row_b` (different accounts) tied by `signal`."""

    signal: str
    row_a: int
    row_b: int
    seconds: float
    similarity: float

    def as_dict(self) -> dict:
        return {"signal": self.signal, "row_a": self.row_a, "row_b": self.row_b,
                "seconds": round(self.seconds, 1), "similarity": round(self.similarity, 3)}


@dataclass
class EdgeSet:
    """Edges of one signal as parallel arrays."""

    signal: str
    a: np.ndarray
    b: np.ndarray
    seconds: np.ndarray
    similarity: np.ndarray

    @classmethod
    def empty(cls, signal: str) -> EdgeSet:
        z = np.zeros(0, np.int64)
        return cls(signal, z, z, np.zeros(0), np.zeros(0))

    def __len__(self) -> int:
        return len(self.a)


def chain_edges(key_rows: np.ndarray, keys: np.ndarray, times: np.ndarray, authors: np.ndarray,
                window: float) -> tuple[np.ndarray, np.ndarray]:
    """Link each (row, key) to the nearest earlier and later row with the same key by another author.

    key_rows/keys: parallel arrays (a row may appear with several keys). Returns unique (a, b) row pairs with
    a < b and |t_a - t_b| <= window. Linear after one sort.
    """
    if len(key_rows) < 2:
        z = np.zeros(0, np.int64)
        return z, z
    t = times[key_rows]
    order = np.lexsort((t, keys))
    rows = key_rows[order]
    k = keys[order]
    t = t[order]
    au = authors[rows]
    m = len(rows)
    idx = np.arange(m)
    # start and end of each run of equal (key, author)
    new_run = np.r_[True, (k[1:] != k[:-1]) | (au[1:] != au[:-1])]
    run_start = np.maximum.accumulate(np.where(new_run, idx, 0))
    end_run = np.r_[new_run[1:], True]
    run_end = np.minimum.accumulate(np.where(end_run, idx, m - 1)[::-1])[::-1]
    pairs_a, pairs_b = [], []
    prev = run_start - 1
    ok = prev >= 0
    ok[ok] &= (k[prev[ok]] == k[ok]) & (t[ok] - t[prev[ok]] <= window)
    pairs_a.append(rows[prev[ok]])
    pairs_b.append(rows[ok])
    nxt = run_end + 1
    ok = nxt < m
    ok[ok] &= (k[nxt[ok]] == k[ok]) & (t[nxt[ok]] - t[ok] <= window)
    pairs_a.append(rows[ok])
    pairs_b.append(rows[nxt[ok]])
    a = np.concatenate(pairs_a)
    b = np.concatenate(pairs_b)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    if len(lo) == 0:
        return lo, hi
    code = sorted_unique(lo.astype(np.int64) * (len(times) + 1) + hi)
    return code // (len(times) + 1), code % (len(times) + 1)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting (faster than numpy's hash-based unique for large int arrays)."""
    if len(values) == 0:
        return values
    v = np.sort(values)
    return v[np.r_[True, v[1:] != v[:-1]]]


def codes_of(values) -> tuple[np.ndarray, np.ndarray]:
    """(row, key code) for an exploded column of keys (a str, a list of str, or None per row)."""
    rows: list[int] = []
    keys: list[int] = []
    codes: dict = {}
    for i, vs in enumerate(values):
        if vs is None:
            continue
        if isinstance(vs, str):
            rows.append(i)
            keys.append(codes.setdefault(vs, len(codes)))
        else:
            for v in vs:
                rows.append(i)
                keys.append(codes.setdefault(v, len(codes)))
    return np.asarray(rows, dtype=np.int64), np.asarray(keys, dtype=np.int64)


# ---- MinHash / LSH --------------------------------------------------------------------------------------

_MIX = np.uint64(0x9E3779B97F4A7C15)


def minhash_signatures(texts: list[str], num_perm: int = 32, shingle: int = 4, sample: int = 2,
                       seed: int = 7) -> np.ndarray:
    """(n, num_perm) uint32 MinHash signatures of character `shingle`-gram sets of normalized texts.

    Only shingles whose hash falls in 1/`sample` of the hash space are kept (a consistent sample, so the
    Jaccard estimate stays unbiased). Texts with no shingle get a signature of all-max (never similar).
    """
    n = len(texts)
    sig = np.full((n, num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    if n == 0:
        return sig
    docs, h = multi_ngram_hashes(texts, (shingle,))[0]
    if sample > 1:
        keep = (h >> np.uint64(59)) % np.uint64(sample) == 0
        docs, h = docs[keep], h[keep]
    if len(docs) == 0:
        return sig
    starts = np.r_[0, np.nonzero(np.diff(docs))[0] + 1]
    present = docs[starts]
    rng = np.random.RandomState(seed)
    a = rng.randint(1, 2 ** 62, size=num_perm, dtype=np.int64).astype(np.uint64) | np.uint64(1)
    b = rng.randint(0, 2 ** 62, size=num_perm, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        for j in range(num_perm):
            v = ((h * a[j] + b[j]) >> np.uint64(32)).astype(np.uint32)
            sig[present, j] = np.minimum.reduceat(v, starts)
    return sig


def lsh_keys(sig: np.ndarray, bands: int, rows_per_band: int, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row, band key) for every eligible row and band: rows sharing a band key are LSH candidates."""
    idx = np.nonzero(eligible)[0]
    if len(idx) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    out_rows, out_keys = [], []
    s = sig[idx].astype(np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            part = s[:, band * rows_per_band:(band + 1) * rows_per_band]
            h = np.full(len(idx), np.uint64(band + 1) * _MIX, dtype=np.uint64)
            for c in range(part.shape[1]):
                h = (h ^ part[:, c]) * _MIX
                h ^= h >> np.uint64(31)
            out_rows.append(idx)
            out_keys.append(h)
    return np.concatenate(out_rows), np.concatenate(out_keys).view(np.int64)


def signature_similarity(sig: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of row pairs from their MinHash signatures (0 for empty texts)."""
    if len(a) == 0:
        return np.zeros(0)
    empty = np.iinfo(np.uint32).max
    sa, sb = sig[a], sig[b]
    sim = (sa == sb).mean(axis=1)
    sim[(sa[:, 0] == empty) | (sb[:, 0] == empty)] = 0.0
    return sim


def rare_bursts(key_rows: np.ndarray, keys: np.ndarray, times: np.ndarray, authors: np.ndarray, window: float,
                max_accounts: int, popular: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Keep only the (row, key) uses that belong to a *rare* burst of their key.

    A key's uses are cut into bursts wherever two consecutive uses are more than `window` apart; a burst with
    more than `max_accounts` distinct accounts is popular (a trending tag), not coordination, and is dropped.
    The limit is absolute and local in time, so it does not grow with the size of the dump. Returned keys are
    burst ids (uses of one key in two bursts never link anyway: they are more than `window` apart).

    `popular` (a bool per use, when given) says which uses lie in a popular burst as counted over a whole dump of
    which this input is a time slice: a burst cut by the slice's edges would count too few accounts.
    """
    if len(key_rows) == 0:
        return key_rows, keys
    t = times[key_rows]
    order = np.lexsort((t, keys))
    rows, k, t = key_rows[order], keys[order], t[order]
    burst = np.cumsum(np.r_[True, (k[1:] != k[:-1]) | (np.diff(t) > window)]) - 1
    n_auth = int(authors.max()) + 2
    pair = sorted_unique(burst * n_auth + authors[rows])
    accounts = np.bincount(pair // n_auth, minlength=int(burst[-1]) + 1)
    keep = accounts[burst] <= max_accounts if popular is None else ~np.asarray(popular, bool)[order]
    return rows[keep], burst[keep]
