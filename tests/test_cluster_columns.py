"""ClusterColumns: columns on disk in cluster order, read back for a run of clusters (worker/cluster_columns.py)."""

import numpy as np
import pytest

from worker.cluster_columns import ClusterColumns


def test_rows_come_back_by_cluster_in_the_order_given(tmp_path):
    owner = np.array([2, 0, -1, 2, 1, 0, 2])
    values = np.arange(7, dtype=np.int64) * 10
    weights = np.linspace(0.5, 3.5, 7)
    columns = ClusterColumns(tmp_path / "c.bin", 4, owner, {"value": values, "weight": weights})

    assert columns.read(0, 1)["value"].tolist() == [10, 50]
    assert columns.read(1, 3)["value"].tolist() == [40, 0, 30, 60]  # cluster 1, then 2 in the order given
    assert columns.read(3, 4)["value"].tolist() == []                 # a cluster with no rows
    whole = columns.read(0, 4)
    assert 20 not in whole["value"].tolist()                          # a row of no cluster is dropped
    assert whole["weight"].dtype == np.float64
    assert np.allclose(whole["weight"], weights[[1, 5, 4, 0, 3, 6]])


def test_columns_written_from_batches_equal_those_written_at_once(tmp_path):
    rng = np.random.default_rng(7)
    owner = rng.integers(-1, 30, 5_000)
    values = rng.integers(0, 10**9, 5_000)
    weights = rng.random(5_000)
    whole = ClusterColumns(tmp_path / "whole.bin", 30, owner, {"value": values, "weight": weights})
    cuts = [0, 1, 900, 901, 2_500, 5_000]

    def batches():
        for lo, hi in zip(cuts, cuts[1:], strict=False):
            yield owner[lo:hi], {"value": values[lo:hi], "weight": weights[lo:hi]}

    batched = ClusterColumns.from_batches(tmp_path / "batched.bin", 30, batches)

    assert (tmp_path / "whole.bin").read_bytes() == (tmp_path / "batched.bin").read_bytes()
    for start, end in [(0, 30), (3, 4), (10, 17)]:
        a, b = whole.read(start, end), batched.read(start, end)
        assert a["value"].tolist() == b["value"].tolist() and a["weight"].tolist() == b["weight"].tolist()
    assert len(whole.read(0, 30)["value"]) == int((owner >= 0).sum())


def test_batches_given_their_counts_are_read_once_and_checked(tmp_path):
    owner = np.array([1, 0, 1, -1, 0])
    values = np.arange(5, dtype=np.int64)
    calls = []

    def batches():
        calls.append(1)
        yield owner[:2], {"value": values[:2]}
        yield owner[2:], {"value": values[2:]}

    columns = ClusterColumns.from_batches(tmp_path / "c.bin", 2, batches, counts=np.array([2, 2]))
    assert len(calls) == 1
    assert columns.read(0, 2)["value"].tolist() == [1, 4, 0, 2]
    with pytest.raises(RuntimeError, match="do not match the counts"):
        ClusterColumns.from_batches(tmp_path / "d.bin", 2, batches, counts=np.array([2, 1]))
