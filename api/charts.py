"""Charts as server-side SVG: the same markup goes into the cluster page and the self-contained report.

Colours are SVG presentation attributes (never `style`), so the markup obeys a strict CSP and needs no CSS.
"""

import math
from datetime import datetime
from functools import lru_cache
from html import escape

import numpy as np

SIGNAL_COLOURS = {
    "co_repost": "#1f77b4", "near_duplicate": "#d62728", "co_link": "#2ca02c", "co_hashtag": "#9467bd",
    "co_reply": "#ff7f0e", "burst": "#8c564b",
}
OTHER_COLOUR = "#7f7f7f"
CLUSTER_COLOUR = "#d62728"
BACKGROUND_COLOUR = "#c7c7c7"


def _t(value: float) -> str:
    return f"{value:.1f}"


def _svg(width: int, height: int, label: str, body: list[str], css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, text: str, anchor: str = "start", size: int = 11) -> str:
    return (f'<text x="{_t(x)}" y="{_t(y)}" font-size="{size}" font-family="sans-serif" fill="#333" '
            f'text-anchor="{anchor}">{escape(text)}</text>')


def timeline_svg(data: dict, width: int = 720, height: int = 220) -> str:
    """Bars of the cluster's posts per bucket over the grey bars of all posts in the same window."""
    buckets = data.get("buckets") or []
    label = "Timeline: cluster posts (red) against all posts stored in the same window (grey)"
    if not buckets:
        return _svg(width, 60, label, [_text(10, 30, "no timestamps")], "chart chart-timeline")
    left, right, top, bottom = 44, 10, 16, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(b["background"], b["cluster"]) for b in buckets) or 1
    bar_w = plot_w / len(buckets)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999"/>']
    for i, b in enumerate(buckets):
        x = left + i * bar_w
        for kind, colour in (("background", BACKGROUND_COLOUR), ("cluster", CLUSTER_COLOUR)):
            n = b[kind]
            if not n:
                continue
            h = plot_h * n / peak
            body.append(f'<rect class="bar-{kind}" x="{_t(x + 0.5)}" y="{_t(top + plot_h - h)}" '
                        f'width="{_t(max(bar_w - 1, 0.5))}" height="{_t(h)}" fill="{colour}">'
                        f'<title>{escape(b["start"][:16])}: {n} {"cluster" if kind == "cluster" else "all"} posts'
                        f"</title></rect>")
    body.append(_text(left - 4, top + 8, str(peak), "end"))
    body.append(_text(left - 4, top + plot_h, "0", "end"))
    body.append(_text(left, height - 18, buckets[0]["start"][:16].replace("T", " ")))
    body.append(_text(width - right, height - 18, buckets[-1]["start"][:16].replace("T", " "), "end"))
    body.append(f'<rect x="{left}" y="{height - 12}" width="10" height="8" fill="{CLUSTER_COLOUR}"/>')
    body.append(_text(left + 14, height - 4, "cluster posts"))
    body.append(f'<rect x="{left + 110}" y="{height - 12}" width="10" height="8" fill="{BACKGROUND_COLOUR}"/>')
    body.append(_text(left + 124, height - 4, f"all posts (per {_duration(data['bucket_seconds'])})"))
    return _svg(width, height, label, body, "chart chart-timeline")


def _duration(seconds: int) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{max(seconds // 60, 1)} min"


def creation_histogram(accounts: list[dict], bins: int = 30) -> dict:
    dates = sorted(datetime.fromisoformat(a["created_at"]) for a in accounts if a.get("created_at"))
    if not dates:
        return {"bins": [], "unknown": len(accounts)}
    lo, hi = dates[0].timestamp(), dates[-1].timestamp()
    width = max((hi - lo) / bins, 86400.0)
    n = max(1, min(bins, int(math.ceil((hi - lo) / width)) or 1))
    counts = [0] * n
    for d in dates:
        counts[min(int((d.timestamp() - lo) / width), n - 1)] += 1
    return {
        "bins": [{"start": datetime.fromtimestamp(lo + i * width, tz=dates[0].tzinfo).isoformat(), "count": c}
                 for i, c in enumerate(counts)],
        "bin_days": round(width / 86400, 2), "unknown": len(accounts) - len(dates),
    }


def histogram_svg(histogram: dict, width: int = 720, height: int = 200) -> str:
    label = "Account creation dates: a tall narrow bar means many accounts created together"
    bins = histogram.get("bins") or []
    if not bins:
        return _svg(width, 60, label, [_text(10, 30, "no account creation dates")], "chart chart-histogram")
    left, right, top, bottom = 44, 10, 16, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(b["count"] for b in bins) or 1
    bar_w = plot_w / len(bins)
    body = [f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#999"/>']
    for i, b in enumerate(bins):
        if not b["count"]:
            continue
        h = plot_h * b["count"] / peak
        colour = "#d62728" if b["count"] == peak and peak > 1 else "#1f77b4"
        body.append(f'<rect class="bar-created" x="{_t(left + i * bar_w + 0.5)}" y="{_t(top + plot_h - h)}" '
                    f'width="{_t(max(bar_w - 1, 0.5))}" height="{_t(h)}" fill="{colour}">'
                    f'<title>{escape(b["start"][:10])}: {b["count"]} accounts created</title></rect>')
    body.append(_text(left - 4, top + 8, str(peak), "end"))
    body.append(_text(left - 4, top + plot_h, "0", "end"))
    body.append(_text(left, height - 8, bins[0]["start"][:10]))
    body.append(_text(width - right, height - 8, f'{bins[-1]["start"][:10]} (bins of {histogram["bin_days"]} d)',
                      "end"))
    return _svg(width, height, label, body, "chart chart-histogram")


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
        return _svg(width, 60, label, [_text(10, 30, "no ties between accounts")], "chart chart-network")
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
        body.append(f'<line class="net-edge" data-signal="{escape(link["signal"])}" x1="{_t(x1)}" y1="{_t(y1)}" '
                    f'x2="{_t(x2)}" y2="{_t(y2)}" stroke="{colour}" stroke-width="{_t(w)}" stroke-opacity="0.6">'
                    f'<title>{escape(link["source"])} – {escape(link["target"])}: {escape(link["signal"])} '
                    f'×{link["weight"]}</title></line>')
    top_degree = max(n["degree"] for n in nodes) or 1
    for node in nodes:
        x, y = xy(node["id"])
        r = 3 + 6 * math.sqrt(node["degree"] / top_degree)
        name = names.get(node["id"]) or node["id"]
        body.append(f'<circle class="net-node" cx="{_t(x)}" cy="{_t(y)}" r="{_t(r)}" fill="#333" stroke="#fff">'
                    f'<title>{escape(name)} ({node["degree"]} ties)</title></circle>')
    used = sorted({link["signal"] for link in links})
    x = margin
    for signal in used:
        body.append(f'<rect x="{_t(x)}" y="{height - 16}" width="12" height="4" '
                    f'fill="{SIGNAL_COLOURS.get(signal, OTHER_COLOUR)}"/>')
        body.append(_text(x + 16, height - 10, signal.replace("_", " ")))
        x += 20 + 7 * len(signal) + 16
    return _svg(width, height, label, body, "chart chart-network")
