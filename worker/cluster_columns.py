"""Columns kept on disk in cluster order, read back for a run of consecutive clusters.

The judgements of a streamed run (worker/stream_scoring.py) take the clusters a batch at a time; what each batch
reads of the whole dump's evidence edges and null-model counts is only its own clusters' rows. Kept in memory,
those columns grow with the dump (tens of bytes per edge and per clustered post); here they cost a file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np


class ClusterColumns:
    """Equal-length columns whose rows belong to clusters (`owner`: a cluster index per row, -1: none, dropped),
    written in cluster order; within a cluster, rows keep the order given."""

    def __init__(self, path: Path, n_clusters: int, owner: np.ndarray, columns: dict[str, np.ndarray]):
        owned = np.nonzero(owner >= 0)[0]
        order = owned[np.argsort(owner[owned], kind="stable")]
        self.path = path
        self.offsets = np.r_[0, np.cumsum(np.bincount(owner[owned], minlength=n_clusters))].astype(np.int64)
        self.columns: dict[str, tuple[int, np.dtype]] = {}  # name -> (byte offset in the file, dtype)
        with open(path, "wb") as f:
            for name, values in columns.items():
                self.columns[name] = (f.tell(), values.dtype)
                values[order].tofile(f)

    def read(self, start: int, end: int) -> dict[str, np.ndarray]:
        """The columns' rows of clusters start..end-1, in cluster order."""
        lo, hi = int(self.offsets[start]), int(self.offsets[end])
        out = {}
        with open(self.path, "rb") as f:
            for name, (base, dtype) in self.columns.items():
                f.seek(base + lo * dtype.itemsize)
                out[name] = np.fromfile(f, dtype, count=hi - lo)
        return out
