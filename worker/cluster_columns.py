"""Columns kept on disk in cluster order, read back for a run of consecutive clusters.

The judgements of a streamed run (worker/stream_scoring.py) take the clusters a batch at a time; what each batch
reads of the whole dump's evidence edges and null-model counts is only its own clusters' rows. Kept in memory,
those columns grow with the dump (tens of bytes per edge and per clustered post); here they cost a file. They are
written from batches of rows too (each partition's edges): in memory is one batch, never all of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

# Rows to write: called twice (counted, then written) unless the counts are given, the same batches each time.
Batches = Callable[[], Iterable[tuple[np.ndarray, dict[str, np.ndarray]]]]


class ClusterColumns:
    """Equal-length columns whose rows belong to clusters (`owner`: a cluster index per row, -1: none, dropped),
    written in cluster order; within a cluster, rows keep the order given."""

    def __init__(self, path: Path, n_clusters: int, owner: np.ndarray, columns: dict[str, np.ndarray]):
        self._write(path, n_clusters, lambda: [(owner, columns)])

    @classmethod
    def from_batches(cls, path: Path, n_clusters: int, batches: Batches,
                     counts: np.ndarray | None = None) -> ClusterColumns:
        """The columns of the concatenated batches (owner, columns), one batch in memory at a time. Without
        `counts` (rows per cluster) batches() is called twice, to count them first."""
        out = cls.__new__(cls)
        out._write(path, n_clusters, batches, counts)
        return out

    def _write(self, path: Path, n_clusters: int, batches: Batches, counts: np.ndarray | None = None) -> None:
        if counts is None:
            counts = np.zeros(n_clusters, np.int64)
            for owner, _ in batches():
                counts += np.bincount(owner[owner >= 0], minlength=n_clusters)
        self.path = path
        self.offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
        self.columns: dict[str, tuple[int, np.dtype]] = {}  # name -> (byte offset in the file, dtype)
        cursor = self.offsets[:-1].copy()  # per cluster: the next row of it to write
        with open(path, "wb") as f:
            for owner, columns in batches():
                if not self.columns:  # the layout, from the first batch's dtypes: one column after another
                    self._lay_out(f, {name: values.dtype for name, values in columns.items()})
                owned = np.nonzero(owner >= 0)[0]
                order = owned[np.argsort(owner[owned], kind="stable")]
                if len(order) == 0:
                    continue
                clusters, sizes = np.unique(owner[order], return_counts=True)
                at = cursor[clusters]
                cursor[clusters] += sizes
                # one write per run of clusters that lie next to each other in the file (all of them, in one batch)
                run = np.r_[True, at[1:] != at[:-1] + sizes[:-1]]
                starts = np.r_[0, np.cumsum(sizes)][:-1][run]
                ends = np.r_[starts[1:], len(order)]
                for name, values in columns.items():
                    offset, dtype = self.columns[name]
                    data = values[order].astype(dtype, copy=False)
                    for start, end, row in zip(starts.tolist(), ends.tolist(), at[run].tolist(), strict=True):
                        os.pwrite(f.fileno(), data[start:end].tobytes(), offset + row * dtype.itemsize)
        if not np.array_equal(cursor, self.offsets[1:]):
            raise RuntimeError(f"{path.name}: the batches' rows do not match the counts given")  # a caller's bug

    def _lay_out(self, f, dtypes: dict[str, np.dtype]) -> None:
        total, base = int(self.offsets[-1]), 0
        for name, dtype in dtypes.items():
            self.columns[name] = (base, dtype)
            base += total * dtype.itemsize
        f.truncate(base)

    def read(self, start: int, end: int) -> dict[str, np.ndarray]:
        """The columns' rows of clusters start..end-1, in cluster order."""
        lo, hi = int(self.offsets[start]), int(self.offsets[end])
        out = {}
        with open(self.path, "rb") as f:
            for name, (base, dtype) in self.columns.items():
                f.seek(base + lo * dtype.itemsize)
                out[name] = np.fromfile(f, dtype, count=hi - lo)
        return out
