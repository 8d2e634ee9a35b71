"""The account network of a cluster: accounts tied by evidence, a deterministic force layout, and its chart."""

import math
from collections import Counter
from functools import lru_cache
from html import escape

import numpy as np

from api.render.svg import num, svg, text
from smearwatch.models import Evidence

NETWORK_NODES = 150
SIGNAL_COLOURS = {
    "co_repost": "#1f77b4", "near_duplicate": "#d62728", "co_link": "#2ca02c", "co_hashtag": "#9467bd",
    "co_reply": "#ff7f0e", "burst": "#8c564b",
}
OTHER_COLOUR = "#7f7f7f"


def network(evidence: list[Evidence], authors: dict[int, tuple[str, str]]) -> dict:
    """Accounts tied by evidence: one edge per pair of accounts and signal, with how many ties."""
    edges: Counter = Counter()
    for item in evidence:
        a, b = authors.get(item.post_a), authors.get(item.post_b)
        if a is None or b is None or a == b:
            continue
        a_key, b_key = f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}"
        pair = (a_key, b_key) if a_key < b_key else (b_key, a_key)
        edges[(*pair, item.signal)] += 1
    degree: Counter = Counter()
    for (a, b, _), n in edges.items():
        degree[a] += n
        degree[b] += n
    keep = {key for key, _ in degree.most_common(NETWORK_NODES)}
    nodes = [{"id": key, "degree": degree[key]} for key in sorted(keep)]
    links = [{"source": a, "target": b, "signal": s, "weight": n}
             for (a, b, s), n in sorted(edges.items()) if a in keep and b in keep]
    return {"nodes": nodes, "links": links, "truncated": len(degree) > len(keep)}


def layout(nodes: list[dict], links: list[dict], iterations: int = 60, seed: int = 7) -> dict[str, tuple]:
    """A small deterministic force layout (Fruchterman-Reingold, vectorised) in the unit square.

    Cached by the graph itself (node ids and ties), so a cluster page shown again costs nothing here.
    """
    ids = tuple(n["id"] for n in nodes)
    ties = tuple(sorted({(link["source"], link["target"]) for link in links}))
    return dict(_layout(ids, ties, iterations, seed))


@lru_cache(maxsize=4096)
def _layout(ids: tuple[str, ...], ties: tuple[tuple[str, str], ...], iterations: int,
            seed: int) -> tuple[tuple[str, tuple[float, float]], ...]:
    if len(ids) < 2:
        return tuple((i, (0.5, 0.5)) for i in ids)
    rng = np.random.default_rng(seed)
    pos = rng.random((len(ids), 2))
    index = {i: n for n, i in enumerate(ids)}
    adjacency = np.zeros((len(ids), len(ids)))
    for source, target in ties:
        a, b = index[source], index[target]
        adjacency[a, b] = adjacency[b, a] = 1.0
    k = math.sqrt(1.0 / len(ids))
    temperature = 0.1
    # x and y as separate planes, [j, i] = coordinate of i minus that of j: the same arithmetic, in the same
    # order (the sums over axis 0 add j in turn), as one (n, n, 2) array, in a quarter of the time.
    x, y = pos[:, 0].copy(), pos[:, 1].copy()
    for _ in range(iterations):
        dx = x[None, :] - x[:, None]
        dy = y[None, :] - y[:, None]
        distance = np.sqrt(dx * dx + dy * dy)
        np.maximum(distance, 1e-3, out=distance)
        force = k * k / distance - adjacency * distance * distance / k  # repulsion minus attraction
        np.fill_diagonal(force, 0.0)
        shift_x = (dx / distance * force).sum(axis=0)
        shift_y = (dy / distance * force).sum(axis=0)
        length = np.maximum(np.sqrt(shift_x * shift_x + shift_y * shift_y), 1e-3)
        step = np.minimum(length, temperature)
        x += shift_x / length * step
        y += shift_y / length * step
        np.clip(x, 0.0, 1.0, out=x)
        np.clip(y, 0.0, 1.0, out=y)
        temperature *= 0.94
    return tuple((i, (float(x[n]), float(y[n]))) for n, i in enumerate(ids))


def network_svg(graph: dict, width: int = 720, height: int = 420, names: dict[str, str] | None = None) -> str:
    label = "Account network: accounts tied by the signal of the colour"
    nodes, links = graph.get("nodes") or [], graph.get("links") or []
    if not nodes:
        return svg(width, 60, label, [text(10, 30, "no ties between accounts")], "chart chart-network")
    names = names or {}
    margin, legend_h = 20, 24
    pos = layout(nodes, links)

    def xy(node_id):
        x, y = pos[node_id]
        return margin + x * (width - 2 * margin), margin + y * (height - 2 * margin - legend_h)

    body = []
    peak = max(link["weight"] for link in links) if links else 1
    for link in links:
        (x1, y1), (x2, y2) = xy(link["source"]), xy(link["target"])
        colour = SIGNAL_COLOURS.get(link["signal"], OTHER_COLOUR)
        w = 0.8 + 2.5 * link["weight"] / peak
        body.append(f'<line class="net-edge" data-signal="{escape(link["signal"])}" x1="{num(x1)}" y1="{num(y1)}" '
                    f'x2="{num(x2)}" y2="{num(y2)}" stroke="{colour}" stroke-width="{num(w)}" stroke-opacity="0.6">'
                    f'<title>{escape(link["source"])} – {escape(link["target"])}: {escape(link["signal"])} '
                    f'×{link["weight"]}</title></line>')
    top_degree = max(n["degree"] for n in nodes) or 1
    for node in nodes:
        x, y = xy(node["id"])
        r = 3 + 6 * math.sqrt(node["degree"] / top_degree)
        name = names.get(node["id"]) or node["id"]
        body.append(f'<circle class="net-node" cx="{num(x)}" cy="{num(y)}" r="{num(r)}" fill="#333" stroke="#fff">'
                    f'<title>{escape(name)} ({node["degree"]} ties)</title></circle>')
    used = sorted({link["signal"] for link in links})
    x = margin
    for signal in used:
        body.append(f'<rect x="{num(x)}" y="{height - 16}" width="12" height="4" '
                    f'fill="{SIGNAL_COLOURS.get(signal, OTHER_COLOUR)}"/>')
        body.append(text(x + 16, height - 10, signal.replace("_", " ")))
        x += 20 + 7 * len(signal) + 16
    return svg(width, height, label, body, "chart chart-network")
