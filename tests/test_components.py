"""Components of the evidence graph from batches of edges (classifiers/components.py)."""

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from classifiers.components import TOPICAL_SIGNALS, Forest, ends_of, group_rows
from classifiers.signals import SIGNALS, EdgeSet


def _edges(signal, pairs):
    a = np.array([p[0] for p in pairs], np.int64)
    b = np.array([p[1] for p in pairs], np.int64)
    return EdgeSet(signal, a, b, np.zeros(len(pairs)), np.ones(len(pairs)))


def test_forest_labels_each_component_by_its_smallest_node_whatever_the_batches():
    rng = np.random.default_rng(3)
    for _ in range(50):
        n = int(rng.integers(1, 300))
        m = int(rng.integers(0, n))
        a, b = rng.integers(0, n, m), rng.integers(0, n, m)
        _, scipy_label = connected_components(sp.coo_matrix((np.ones(m), (a, b)), shape=(n, n)), directed=False)
        smallest = np.full(scipy_label.max() + 1, n)
        np.minimum.at(smallest, scipy_label, np.arange(n))
        forest = Forest(n)
        cuts = np.sort(rng.integers(0, m + 1, 3))
        for lo, hi in zip(np.r_[0, cuts], np.r_[cuts, m], strict=True):
            forest.union(a[lo:hi], b[lo:hi])
        assert forest.labels().tolist() == smallest[scipy_label].tolist()


def test_a_topical_group_joins_only_the_strong_group_it_has_most_edges_to():
    authors = np.arange(12)  # one account per post
    edge_sets = [_edges(s, []) for s in SIGNALS]
    edge_sets[SIGNALS.index("co_repost")] = _edges("co_repost", [(0, 1), (1, 2), (3, 4), (4, 5)])  # groups 0-2, 3-5
    # posts 6-8 share a tag: one edge to group 0-2, two to group 3-5; posts 9-10 one edge to each (tie: lowest)
    tags = [(6, 7), (7, 8), (6, 0), (7, 3), (8, 4), (9, 10), (9, 1), (10, 5), (2, 3)]
    edge_sets[SIGNALS.index("co_hashtag")] = _edges("co_hashtag", tags)

    keep, groups, post_cluster = group_rows(12, len(edge_sets), ends_of(edge_sets), authors, 3)

    assert [g.tolist() for g in groups] == [[0, 1, 2, 9, 10], [3, 4, 5, 6, 7, 8]]
    assert post_cluster[11] == -1
    kept = [pair for pair, k in zip(tags, keep[SIGNALS.index("co_hashtag")], strict=True) if k]
    assert kept == [(6, 7), (7, 8), (7, 3), (8, 4), (9, 10), (9, 1)]  # never the bridge (2, 3)
    assert keep[SIGNALS.index("co_repost")] is None


def test_edges_in_batches_give_the_same_clusters_and_masks_as_at_once():
    rng = np.random.default_rng(11)
    for _ in range(40):
        n = int(rng.integers(5, 400))
        authors = rng.integers(0, max(2, n // 2), n)
        edge_sets = [_edges(s, rng.integers(0, n, (int(rng.integers(0, n)), 2)).tolist()) for s in SIGNALS]

        def in_batches(topical, edge_sets=edge_sets):
            for piece in range(3):
                for slot, e in enumerate(edge_sets):
                    if (e.signal in TOPICAL_SIGNALS) == topical:
                        lo, hi = len(e) * piece // 3, len(e) * (piece + 1) // 3
                        yield slot, e.a[lo:hi], e.b[lo:hi]

        whole = group_rows(n, len(edge_sets), ends_of(edge_sets), authors, 3)
        batched = group_rows(n, len(edge_sets), in_batches, authors, 3)

        assert whole[2].tolist() == batched[2].tolist()
        assert [g.tolist() for g in whole[1]] == [g.tolist() for g in batched[1]]
        for x, y in zip(whole[0], batched[0], strict=True):
            assert (x is None and y is None) or x.tolist() == y.tolist()
