"""A deterministic layout for an account network that stays readable from 5 to 500 accounts.

Each connected component is laid out by itself (Fruchterman-Reingold, vectorised, never clipped to a frame, so
nodes do not pile up along its edges), scaled so that neighbouring accounts sit about one unit apart, pushed
apart where nodes still overlap, and the components are packed in rows, largest first. Positions are in units
(about one node spacing); the chart decides how many pixels a unit is.
"""

import math
from functools import lru_cache

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

ITERATIONS = 80
GAP = 1.6  # units between packed components
MIN_DISTANCE = 0.75  # units: closer nodes are pushed apart


def layout(ids: list[str], ties: list[tuple[str, str, float]], aspect: float = 1.4, label_room: float = 3.0
           ) -> tuple[dict[str, tuple[float, float]], float, float]:
    """Positions of `ids` (in units, from 0) tied by `ties` (source, target, weight), and the width and height of
    the whole. `aspect` is the width / height the rows of components aim at; `label_room` (units) is left right
    of each component for the names of its rightmost accounts.

    The components' layouts are cached by the graph itself, so a cluster page shown again costs nothing here.
    """
    key_ids = tuple(sorted(ids))
    weights: dict[tuple[str, str], float] = {}
    for a, b, w in ties:
        pair = (a, b) if a < b else (b, a)
        weights[pair] = weights.get(pair, 0.0) + w
    pieces = _components(key_ids, tuple(sorted(weights.items())))
    if not pieces:
        return {}, 0.0, 0.0
    offsets, width, height = _pack([points.max(axis=0) for _, points in pieces], aspect, label_room)
    positions = {}
    for (members, points), offset in zip(pieces, offsets, strict=True):
        for node, (x, y) in zip(members, points + offset, strict=True):
            positions[node] = (float(x), float(y))
    return positions, width, height


@lru_cache(maxsize=1024)
def _components(ids: tuple[str, ...], ties: tuple[tuple[tuple[str, str], float], ...]
                ) -> tuple[tuple[tuple[str, ...], np.ndarray], ...]:
    """Each connected component's ids and layout, largest first."""
    n = len(ids)
    if n == 0:
        return ()
    index = {i: k for k, i in enumerate(ids)}
    rows = np.array([index[a] for (a, _), _ in ties], dtype=int)
    cols = np.array([index[b] for (_, b), _ in ties], dtype=int)
    # Heavier ties pull harder, but only logarithmically: one pair with 40 co-actions must not crush the rest.
    values = np.array([1.0 + math.log(w) if w >= 1 else w for _, w in ties], dtype=float)
    adjacency = coo_matrix((values, (rows, cols)), shape=(n, n)).toarray()
    adjacency = adjacency + adjacency.T
    _, component = connected_components(adjacency != 0, directed=False)
    members = [np.flatnonzero(component == c) for c in range(component.max() + 1)]
    # Largest first; equal sizes in the order of their first id (ids are sorted), so the result is deterministic.
    members.sort(key=lambda m: (-len(m), m[0]))
    return tuple((tuple(ids[k] for k in m), _component(adjacency[np.ix_(m, m)])) for m in members)


def _component(adjacency: np.ndarray) -> np.ndarray:
    """One connected component, laid out with its corner at (0, 0), nearest neighbours about one unit apart.

    Forces as in ForceAtlas2 (Jacomy et al. 2014): repulsion grows with both accounts' degrees and attraction with
    distance, not its square, so a near-complete group (every account tied to every other, common in co-action
    evidence) opens up instead of collapsing into a blob while sparse ties stay short.
    """
    n = len(adjacency)
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:  # one above the other, so that both names fit beside them
        return np.array([[0.0, 0.0], [0.0, 1.2]])
    mass = (adjacency > 0).sum(axis=1) + 1.0
    repulsion = np.outer(mass, mass)
    # Start on a spiral in the order of the ids: deterministic, and no two nodes start at the same place.
    turn = np.arange(n) * 2.399963  # the golden angle
    radius = np.sqrt(np.arange(n) + 0.5)
    x, y = radius * np.cos(turn), radius * np.sin(turn)
    for step in range(ITERATIONS):
        dx = x[None, :] - x[:, None]  # [j, i]: i's coordinate minus j's
        dy = y[None, :] - y[:, None]
        distance = np.sqrt(dx * dx + dy * dy)
        spread = float(np.sqrt(x.var() + y.var())) or 1.0
        np.maximum(distance, 1e-3 * spread, out=distance)
        force = repulsion / distance - adjacency * distance  # along (i - j): repulsion minus attraction
        np.fill_diagonal(force, 0.0)
        shift_x = (dx / distance * force).sum(axis=0) - 1.0 * mass * (x - x.mean())  # gravity, by mass
        shift_y = (dy / distance * force).sum(axis=0) - 1.0 * mass * (y - y.mean())
        # Each account moves at most a shrinking share of the drawing's size: no tuning to the graph's scale.
        limit = spread * 0.2 * (1 - step / ITERATIONS) + spread * 0.005
        length = np.maximum(np.sqrt(shift_x * shift_x + shift_y * shift_y), 1e-12)
        move = np.minimum(length, limit) / length
        x += shift_x * move
        y += shift_y * move
    points = np.column_stack([x, y])
    points *= 1.0 / max(_nearest(points), 1e-9)  # the median nearest neighbour one unit away
    points = _spread(points)
    return points - points.min(axis=0)


def _nearest(points: np.ndarray) -> float:
    delta = points[:, None, :] - points[None, :, :]
    distance = np.sqrt((delta * delta).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    return float(np.median(distance.min(axis=1)))


def _spread(points: np.ndarray, rounds: int = 30) -> np.ndarray:
    """Push apart nodes closer than MIN_DISTANCE (a dense core of a near-complete graph), half the gap each."""
    for _ in range(rounds):
        delta = points[:, None, :] - points[None, :, :]
        distance = np.sqrt((delta * delta).sum(axis=2))
        np.fill_diagonal(distance, np.inf)
        overlap = np.clip(MIN_DISTANCE - distance, 0.0, None)
        if not overlap.any():
            break
        safe = np.maximum(distance, 1e-6)[:, :, None]
        push = (delta / safe * overlap[:, :, None] / 2).sum(axis=1)
        points = points + push
    return points


def _pack(sizes: list[np.ndarray], aspect: float, label_room: float) -> tuple[list[np.ndarray], float, float]:
    """Rows of component boxes, largest first, in a width that makes the whole about `aspect` wide per high."""
    boxes = [(float(w) + GAP + label_room, float(h) + GAP) for w, h in sizes]
    area = sum(w * h for w, h in boxes)
    row_width = max(max(w for w, _ in boxes), math.sqrt(area * aspect))
    offsets, x, y, row_height, width = [], 0.0, 0.0, 0.0, 0.0
    for w, h in boxes:
        if x > 0 and x + w > row_width:
            x, y, row_height = 0.0, y + row_height, 0.0
        offsets.append(np.array([x, y]))
        x += w
        row_height = max(row_height, h)
        width = max(width, x)
    return offsets, width - GAP - label_room, y + row_height - GAP
