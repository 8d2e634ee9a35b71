"""The coordination null model of streamed scoring: what each post acted on per signal, counted over the whole dump.

classifiers.coordination.local_uses counts, for each use of an object (a reposted id, a link, a tag's burst, a text's
LSH band, a parent, a named target), the other uses of it within half a day (NULL_SCALE / 2) either side. Twelve
hours of a dense dump are far more posts than the evidence edges need (the longest signal window, an hour), so a
time partition is read with only that pad, and its core posts' uses are written to disk with keys that mean the
same in every partition (64-bit hashes of the objects). Afterwards each partition's clustered posts' uses are
counted among the uses of the same objects within half a day of them: only (row, key) pairs, a few bytes a use,
and only of the objects those posts use.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from classifiers import PostFrame
from classifiers.coordination import NULL_SCALE, local_uses
from classifiers.signals import SIGNALS
from classifiers.text import normalize_text, normalize_url

KEY_BUCKETS = 8  # objects counted apart (see _relevant_uses)


def key_hashes(values: list[str]) -> np.ndarray:
    """A stable 64-bit key per string (the same in every process and partition)."""
    return np.fromiter((int.from_bytes(hashlib.blake2b(v.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                                       "little", signed=True) for v in values), dtype=np.int64, count=len(values))


def core_uses(frame: PostFrame, core: slice, first: int, entity: np.ndarray, near_duplicate, popular_hashtags
              ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per signal, (global row, key) of every use by a core post, as classifiers.detect.find_edges keys them:
    near_duplicate from its LSH uses (already hashes), hashtags as the tag (bursts are cut when counting) and only
    uses outside a popular burst, the others by the object itself."""
    lo, hi = core.start, core.stop
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def exploded(per_row) -> tuple[np.ndarray, np.ndarray]:
        rows, values = [], []
        for r in range(lo, hi):
            vs = per_row(r)
            if vs is None:
                continue
            if isinstance(vs, str):
                vs = (vs,)
            for v in vs:
                rows.append(r)
                values.append(v)
        return np.asarray(rows, dtype=np.int64) + first, key_hashes(values)

    out["co_repost"] = exploded(lambda r: frame.repost_of[r])
    in_core = (near_duplicate.rows >= lo) & (near_duplicate.rows < hi)
    out["near_duplicate"] = (near_duplicate.rows[in_core] + first, near_duplicate.keys[in_core].astype(np.int64))
    out["co_link"] = exploded(lambda r: [normalize_url(u) for u in frame.urls[r]] if frame.urls[r] else None)
    tags = [[normalize_text(h) for h in frame.hashtags[r]] if frame.hashtags[r] else None for r in range(lo, hi)]
    rows, keys = exploded(lambda r: tags[r - lo])
    if popular_hashtags is not None and len(rows):
        keep = ~popular_hashtags(tags, frame.created[lo:hi])
        rows, keys = rows[keep], keys[keep]
    out["co_hashtag"] = (rows, keys)
    out["co_reply"] = exploded(lambda r: frame.reply_to[r])
    out["burst"] = exploded(lambda r: entity[r])
    return out


def save_uses(path: Path, uses: dict[str, tuple[np.ndarray, np.ndarray]]) -> Path:
    # written aside and renamed: a partition scored twice (a task delivered again) never leaves half a file
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as f:
        np.savez(f, **{f"{s}.rows": uses[s][0] for s in SIGNALS}, **{f"{s}.keys": uses[s][1] for s in SIGNALS})
    os.replace(temporary, path)
    return path


def count_uses(created: np.ndarray, bounds: list[tuple[int, int]], spills: list[Path], wanted: np.ndarray,
               hashtag_window: float) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """Per partition with `wanted` global rows (sorted), in order: those rows and, per signal, for each of them
    the most other uses within NULL_SCALE / 2 of any of its uses (SignalUses.per_row of one in-memory run; -1: no
    use). A partition at a time: in a dense dump most posts are clustered, and all their counts at once were the
    largest thing this phase held."""
    half = NULL_SCALE / 2
    los = np.asarray([lo for lo, _ in bounds], np.int64)
    his = np.asarray([hi for _, hi in bounds], np.int64)
    for k, (lo, hi) in enumerate(bounds):
        mine_wanted = wanted[np.searchsorted(wanted, lo):np.searchsorted(wanted, hi)]
        if len(mine_wanted) == 0:
            continue
        out = {s: np.full(len(mine_wanted), -1, np.int32) for s in SIGNALS}  # 4 bytes a post and signal
        first = int(np.searchsorted(created, created[lo] - half, side="left"))
        last = int(np.searchsorted(created, created[hi - 1] + half, side="right"))
        near = np.nonzero((his > first) & (los < last))[0].tolist()
        for signal in SIGNALS:
            # a use's count involves only the uses of its own object: counted a bucket of objects at a time
            for rows, keys in _relevant_uses(spills, k, near, signal, mine_wanted, first, last):
                if len(rows) == 0:
                    continue
                if signal == "co_hashtag":
                    keys = _burst_keys(rows, keys, created, hashtag_window)
                others = local_uses(rows, keys, created)
                mine = (rows >= lo) & (rows < hi)
                at = np.searchsorted(mine_wanted, rows[mine])
                hit = (at < len(mine_wanted)) & (mine_wanted[np.minimum(at, len(mine_wanted) - 1)] == rows[mine])
                np.maximum.at(out[signal], at[hit], others[mine][hit])
        yield mine_wanted, out


def _relevant_uses(spills: list[Path], k: int, near: list[int], signal: str, wanted: np.ndarray, first: int,
                   last: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The uses of rows first..last-1 (in the `near` partitions' spills) of the objects that partition k's `wanted`
    posts use: only those count for them. In KEY_BUCKETS buckets by object (rows and keys of each), so that the
    counting, which needs about 90 bytes a use, holds one bucket: in a dense dump half a day holds millions of
    uses (8 LSH bands a text)."""
    with np.load(spills[k]) as own:
        own_uses = own[f"{signal}.rows"], own[f"{signal}.keys"]
    objects = np.unique(own_uses[1][np.isin(own_uses[0], wanted)])
    if len(objects) == 0:
        return []
    buckets: list[tuple[list[np.ndarray], list[np.ndarray]]] = [([], []) for _ in range(KEY_BUCKETS)]
    for j in near:
        if j == k:  # read above
            rows, keys = own_uses
        else:
            with np.load(spills[j]) as spill:
                rows, keys = spill[f"{signal}.rows"], spill[f"{signal}.keys"]
        keep = (rows >= first) & (rows < last) & np.isin(keys, objects)
        rows, keys = rows[keep], keys[keep]
        bucket = np.remainder(keys, KEY_BUCKETS)
        for b, (bucket_rows, bucket_keys) in enumerate(buckets):
            mask = bucket == b
            bucket_rows.append(rows[mask])
            bucket_keys.append(keys[mask])
    return [(np.concatenate(bucket_rows), np.concatenate(bucket_keys)) for bucket_rows, bucket_keys in buckets]


def _burst_keys(rows: np.ndarray, keys: np.ndarray, created: np.ndarray, window: float) -> np.ndarray:
    """A tag's uses cut into bursts where two consecutive uses are more than `window` apart (rare_bursts), as
    burst ids: within half a day of a post every use between two of its uses is loaded, so the cut is exact."""
    t = created[rows]
    order = np.lexsort((t, keys))
    k, ts = keys[order], t[order]
    burst = np.cumsum(np.r_[True, (k[1:] != k[:-1]) | (np.diff(ts) > window)]) - 1
    out = np.empty(len(rows), np.int64)
    out[order] = burst
    return out
