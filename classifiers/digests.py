"""A map from 128-bit digests to small ints in about 20 bytes an entry, where a dict of bytes takes about 120.

ClusterMentions (classifiers/detect.py) remembers what every text it has read names, by the text's digest: a
streamed run of ten million posts reads millions of distinct texts, and a dict of them was one of the largest
things the run held. Here the digests live in two sorted uint64 arrays (their halves) with an int32 value each;
new entries wait in a small dict until there are `merge_at` of them, then are inserted into the arrays.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left

import numpy as np


class DigestMap:
    """digest (16 bytes) -> int >= 0; exact: both halves of a digest are compared."""

    def __init__(self, merge_at: int = 100_000):
        self.merge_at = merge_at
        # array.array, not numpy: bisect reads it item by item as Python ints, several times faster per lookup
        self._hi, self._lo, self._value = array("Q"), array("Q"), array("i")
        self._recent: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._hi) + len(self._recent)

    def get(self, digest: bytes) -> int | None:
        value = self._recent.get(digest)
        if value is not None:
            return value
        hi, lo = int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:16], "big")
        found, n = self._hi, len(self._hi)
        at = bisect_left(found, hi)
        while at < n and found[at] == hi:  # a run of equal first halves: almost always one entry or none
            if self._lo[at] == lo:
                return self._value[at]
            at += 1
        return None

    def put(self, digest: bytes, value: int) -> None:
        """Add a digest that is not in the map yet."""
        self._recent[digest] = value
        if len(self._recent) >= self.merge_at:
            self._merge()

    def _merge(self) -> None:
        """The recent entries into the sorted arrays: sorted among themselves, then inserted (a copy of the
        arrays, not a sort of them). Only the first halves need to be in order: get() reads a run of equal ones."""
        raw = np.frombuffer(b"".join(self._recent), dtype=">u8").reshape(-1, 2).astype(np.uint64)
        order = np.argsort(raw[:, 0], kind="stable")
        new, values = raw[order], np.fromiter(self._recent.values(), np.int32, len(self._recent))[order]
        hi = np.frombuffer(self._hi, np.uint64)
        at = np.searchsorted(hi, new[:, 0])
        merged = [np.insert(hi, at, new[:, 0]),
                  np.insert(np.frombuffer(self._lo, np.uint64), at, new[:, 1]),
                  np.insert(np.frombuffer(self._value, np.int32), at, values)]
        self._hi, self._lo, self._value = array("Q"), array("Q"), array("i")
        for target, column in zip((self._hi, self._lo, self._value), merged, strict=True):
            target.frombytes(column.tobytes())
        self._recent = {}
