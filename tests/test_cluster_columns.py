"""ClusterColumns: columns on disk in cluster order, read back for a run of clusters (worker/cluster_columns.py)."""

import numpy as np

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
