"""Connected components of a graph whose edges come in batches, in memory that grows with its nodes, not its edges.

A streamed run (worker/stream_scoring.py) has tens of millions of evidence edges spread over its partitions' files.
One sparse matrix of all of them was the largest thing it held: scipy's connected_components copies it with
float64 weights and again transposed, about 40 bytes an edge. A Forest keeps one parent per node instead and takes
the edges a batch at a time; only the roots a batch touches go through scipy.

Labels are the smallest node of each component, so they sort the components as scipy's labels do (by their first
node): results that order or break ties by component stay the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from classifiers.signals import EdgeSet, sorted_unique


class Forest:
    """Union-find over nodes 0..n-1 in which every root is the smallest node of its tree."""

    def __init__(self, n: int, parent: np.ndarray | None = None):
        # int32 parents when they fit: this array is the one thing that grows with the dump
        dtype = np.int32 if n < 2**31 else np.int64
        self.parent = np.arange(n, dtype=dtype) if parent is None else parent.astype(dtype)

    def roots(self, x: np.ndarray) -> np.ndarray:
        """The root of each node of x (and x's nodes now point at it, so the next search is short)."""
        parent = self.parent
        r = parent[x]
        while True:
            up = parent[r]
            if np.array_equal(up, r):
                break
            r = up
        parent[x] = r
        return r

    def union(self, a: np.ndarray, b: np.ndarray) -> None:
        """Join the trees of a[i] and b[i] for every i."""
        if len(a) == 0:
            return
        ra, rb = self.roots(a), self.roots(b)
        differ = ra != rb
        if not differ.any():
            return
        ra, rb = ra[differ], rb[differ]
        nodes, local = np.unique(np.concatenate([ra, rb]), return_inverse=True)
        m = len(ra)
        graph = sp.coo_matrix((np.ones(m, np.int8), (local[:m], local[m:])), shape=(len(nodes), len(nodes)))
        _, label = connected_components(graph.tocsr(), directed=False)
        # nodes are sorted, so a component's first local index is its smallest root: the new root of them all
        smallest = nodes[np.unique(label, return_index=True)[1]]
        self.parent[nodes] = smallest[label]

    def labels(self) -> np.ndarray:
        """Per node, the smallest node of its component (int32 when they fit: widen before multiplying)."""
        parent = self.parent
        while True:
            up = parent[parent]
            if np.array_equal(up, parent):
                return parent
            parent = up


TOPICAL_SIGNALS = ("co_hashtag", "burst")  # shared marker only: may recruit posts, never bridge groups

# ends(topical) yields (slot, a, b): the ends of a batch of edges of the topical (True) or behavioural (False)
# signals, in the same order at every call; slot says which of the caller's edge sets the batch belongs to.
EdgeEnds = Callable[[bool], Iterable[tuple[int, np.ndarray, np.ndarray]]]


def ends_of(edge_sets: list[EdgeSet]) -> EdgeEnds:
    """EdgeEnds of edge sets in memory: one batch each."""
    def ends(topical: bool):
        for slot, e in enumerate(edge_sets):
            if (e.signal in TOPICAL_SIGNALS) == topical:
                yield slot, e.a, e.b
    return ends


def group_rows(n: int, slots: int, ends: EdgeEnds, authors: np.ndarray,
               min_accounts: int) -> tuple[list[np.ndarray | None], list[np.ndarray], np.ndarray]:
    """The keep mask of each slot's edges (None: all kept; batches in order), the clusters' rows (components with
    enough distinct accounts, in the order of their first row) and the cluster index of each post (-1: none)."""
    keep, comp, clustered = cluster_masks(n, slots, ends, authors, min_accounts)
    comp_e = np.where(clustered, comp, -1)
    rows_in = np.nonzero(clustered)[0]
    order = rows_in[np.argsort(comp_e[rows_in], kind="stable")]
    splits = np.nonzero(np.diff(comp_e[order]))[0] + 1
    groups = [g for g in np.split(order, splits) if len(g)]
    groups = [g for g in groups if len(np.unique(authors[g])) >= min_accounts]
    post_cluster = np.full(n, -1, dtype=np.int64)
    for ci, g in enumerate(groups):
        post_cluster[g] = ci
    return keep, groups, post_cluster


def cluster_masks(n: int, slots: int, ends: EdgeEnds, authors: np.ndarray,
                  min_accounts: int) -> tuple[list[np.ndarray | None], np.ndarray, np.ndarray]:
    """Connected components of the evidence graph in which topical edges never bridge two groups.

    Behavioural signals (co-repost, near-duplicate, co-link, co-reply) tie two posts by what their accounts did
    with one piece of content. Topical signals (co-hashtag, narrative burst) only say that two posts used the
    same marker — a hashtag, the name of a target — close in time. In a dense stream (many campaigns, their news
    coverage and everyday chatter about one target or under one tag) topical edges alone chain everything into
    one component. So topical evidence is used only for what it is for — recruiting posts that no behavioural
    signal ties to anyone (accounts posting once each, paraphrased, or only sharing a rare tag):

    1. strong groups: components of the behavioural edges with at least `min_accounts` accounts;
    2. topical groups: components of the topical and behavioural edges between posts in no strong group;
    3. each topical group joins at most one strong group — the one it has most topical edges to (ties: lowest
       component id), so it can never bridge two.

    Topical edges between two strong groups, and those to a strong group a topical group did not join, are
    dropped (they are not evidence of the cluster). Returns a keep mask per slot (None: all kept), a component
    id per post and a mask of posts that have kept evidence. The edges are read a batch at a time, several
    times over: what is held grows with the posts (a few arrays of n), not with the edges.
    """
    touched = np.zeros(n, bool)
    strong = Forest(n)
    for _, a, b in ends(False):
        touched[a] = True
        touched[b] = True
        strong.union(a, b)
    comp_s = strong.labels()
    del strong
    # distinct accounts per behavioural component: only components of min_accounts or more are groups
    rows = np.nonzero(touched)[0]
    n_auth = int(authors.max()) + 2
    component = sorted_unique(comp_s[rows].astype(np.int64) * n_auth + authors[rows]) // n_auth
    del rows
    starts = np.nonzero(np.r_[len(component) > 0, component[1:] != component[:-1]])[0]  # a run per component
    big = np.zeros(n, bool)
    big[component[starts][np.diff(np.r_[starts, len(component)]) >= min_accounts]] = True
    in_strong = touched & big[comp_s]
    del component, starts, big
    free = Forest(n)
    weak_edges = 0
    for _, a, b in ends(True):
        both_free = ~in_strong[a] & ~in_strong[b]
        free.union(a[both_free], b[both_free])
        weak_edges += len(a)
    if weak_edges == 0:
        return [None] * slots, comp_s, touched
    for _, a, b in ends(False):
        small = ~in_strong[a]  # behavioural edges inside components too small to be groups
        free.union(a[small], b[small])
    comp_f = free.labels()
    del free
    chosen = _chosen_groups(n, ends, in_strong, comp_f, comp_s)
    # the final components: the strong groups' edges (comp_s already joins them) and the kept topical edges
    final = Forest(n, comp_s)
    clustered = touched
    masks: dict[int, list[np.ndarray]] = {}
    for slot, a, b in ends(True):
        keep, attach, w_group, s_group = _attachments(a, b, in_strong, comp_f, comp_s)
        keep[np.nonzero(attach)[0]] = chosen[w_group] == s_group
        masks.setdefault(slot, []).append(keep)
        final.union(a[keep], b[keep])
        clustered[a[keep]] = True
        clustered[b[keep]] = True
    keep_of = [np.concatenate(masks[slot]) if slot in masks else None for slot in range(slots)]
    return keep_of, final.labels(), clustered


def _attachments(a, b, in_strong, comp_f, comp_s):
    """Per topical edge: whether both ends are free (kept), whether it ties a free post to a strong group
    (attach), and for those the topical group and the strong group it ties."""
    free_a, free_b = ~in_strong[a], ~in_strong[b]
    attach = free_a ^ free_b
    w_group = comp_f[np.where(free_a, a, b)[attach]]
    s_group = comp_s[np.where(free_a, b, a)[attach]]
    return free_a & free_b, attach, w_group, s_group


def _chosen_groups(n: int, ends: EdgeEnds, in_strong, comp_f, comp_s) -> np.ndarray:
    """Per topical group (its comp_f id): the strong group it has most topical edges to (ties: the lowest), -1:
    none. The edges are counted per batch and the counts summed: (group, group) pairs are far fewer than edges."""
    codes, counts = [], []
    for _, a, b in ends(True):
        _, _, w_group, s_group = _attachments(a, b, in_strong, comp_f, comp_s)
        code, count = np.unique(w_group.astype(np.int64) * n + s_group, return_counts=True)
        codes.append(code)
        counts.append(count)
    chosen = np.full(n, -1, comp_s.dtype)
    if not codes or sum(len(c) for c in codes) == 0:
        return chosen
    uniq, inverse = np.unique(np.concatenate(codes), return_inverse=True)
    total = np.bincount(inverse, weights=np.concatenate(counts)).astype(np.int64)
    gw, gs = uniq // n, uniq % n
    order = np.lexsort((gs, -total, gw))
    first = order[np.r_[True, gw[order][1:] != gw[order][:-1]]]
    chosen[gw[first]] = gs[first]
    return chosen
