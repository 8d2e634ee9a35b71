"""The account network of a cluster: accounts tied by evidence, and its chart (labelled accounts, one line style
per signal, a legend). The layout is api.render.layout."""

import math
from collections import Counter, defaultdict
from html import escape

from api.render.layout import layout
from api.render.svg import num, svg, text
from smearwatch.account_network import AccountNetwork
from smearwatch.models import Evidence

NETWORK_NODES = 500
NETWORK_LINKS = 4000
# One colour and one dash pattern per signal, so that a signal reads in grey print and for colour-blind readers.
SIGNAL_STYLES = {
    "co_repost": ("#1f77b4", "", "co-repost"),
    "near_duplicate": ("#d62728", "7 3", "near-duplicate text"),
    "co_link": ("#2ca02c", "2 3", "shared link"),
    "co_hashtag": ("#9467bd", "10 3 2 3", "shared hashtag"),
    "co_reply": ("#ff7f0e", "5 2 1 2", "co-reply"),
    "burst": ("#8c564b", "1.5 2.5", "burst"),
}
OTHER_STYLE = ("#7f7f7f", "4 4", None)
WIDTH = 1100  # the page's column; a big network grows in height instead
LABEL_CHARS = 18
FONT = 10


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
    return _graph(edges)


def network_of(accounts: AccountNetwork) -> dict:
    """The same from the store's whole account network (every evidence row, not the first ones a page lists)."""
    return _graph(Counter({(e.source, e.target, e.signal): e.weight for e in accounts.edges}))


def _graph(edges: Counter) -> dict:
    degree: Counter = Counter()
    for (a, b, _), n in edges.items():
        degree[a] += n
        degree[b] += n
    keep = {key for key, _ in degree.most_common(NETWORK_NODES)}
    among = sorted(((key, n) for key, n in edges.items() if key[0] in keep and key[1] in keep),
                   key=lambda item: (-item[1], item[0]))
    drawn = sorted(among[:NETWORK_LINKS])  # the strongest ties: thousands more lines would only be ink
    # Accounts left with no tie drawn are left out too (their ties are in the downloads).
    tied = {a for (a, _, _), _ in drawn} | {b for (_, b, _), _ in drawn}
    nodes = [{"id": key, "degree": degree[key]} for key in sorted(keep & tied)]
    links = [{"source": a, "target": b, "signal": s, "weight": n} for (a, b, s), n in drawn]
    return {"nodes": nodes, "links": links, "truncated": len(degree) > len(nodes) or len(among) > len(drawn)}


def style(signal: str) -> tuple[str, str, str]:
    colour, dash, name = SIGNAL_STYLES.get(signal, OTHER_STYLE)
    return colour, dash, name or signal.replace("_", " ")


def short(name: str, limit: int = LABEL_CHARS) -> str:
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def _legend(links: list[dict], width: int, margin: int) -> tuple[list[str], int]:
    """One line sample per signal drawn, with its name and how many pairs it ties; wraps; returns its height."""
    used = Counter(link["signal"] for link in links)
    body, x, y = [], margin, 16
    for signal in sorted(used):
        colour, dash, name = style(signal)
        label = f"{name} ({used[signal]} pair{'s' if used[signal] != 1 else ''})"
        span = 34 + 6.2 * len(label) + 18
        if x > margin and x + span > width - margin:
            x, y = margin, y + 18
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(f'<line class="net-legend" data-signal="{escape(signal)}" x1="{num(x)}" y1="{y - 4}" '
                    f'x2="{num(x + 28)}" y2="{y - 4}" stroke="{colour}" stroke-width="2.5"{dash_attr}/>')
        body.append(text(x + 34, y, label))
        x += span
    body.append(text(width - margin, y + 18, "circle size: ties · hover a circle or a line for its details",
                     anchor="end", size=10))
    return body, y + 26


def _edge_paths(links: list[dict], xy, peak: int, names: dict[str, str]) -> list[str]:
    """Edges of one pair with several signals are bowed apart (one straight, the others curved to either side),
    so no signal hides another."""
    by_pair: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for link in links:
        by_pair[(link["source"], link["target"])].append(link)
    body = []
    for (source, target), pair in by_pair.items():
        (x1, y1), (x2, y2) = xy(source), xy(target)
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        nx, ny = -(y2 - y1) / length, (x2 - x1) / length  # unit normal
        for i, link in enumerate(sorted(pair, key=lambda item: item["signal"])):
            colour, dash, name = style(link["signal"])
            bow = (i - (len(pair) - 1) / 2) * 14.0  # control point offset; the curve passes at half of it
            if bow:
                cx, cy = (x1 + x2) / 2 + nx * bow, (y1 + y2) / 2 + ny * bow
                d = f"M{num(x1)} {num(y1)}Q{num(cx)} {num(cy)} {num(x2)} {num(y2)}"
            else:
                d = f"M{num(x1)} {num(y1)}L{num(x2)} {num(y2)}"
            w = 1.0 + 2.0 * math.sqrt(link["weight"] / peak)
            dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
            body.append(
                f'<path class="net-edge" data-signal="{escape(link["signal"])}" d="{d}" fill="none" '
                f'stroke="{colour}" stroke-width="{num(w)}" stroke-opacity="0.7"{dash_attr}>'
                f'<title>{escape(names.get(source, source))} – {escape(names.get(target, target))}: {escape(name)} '
                f'×{link["weight"]}</title></path>')
    return body


def _labels(nodes: list[dict], xy, radius, names: dict[str, str], width: float, height: float, top: float
            ) -> list[str]:
    """Names beside their circles, the most connected accounts first; a name that would overlap one already
    placed tries the other side, above and below, and is left out if there is no room (its circle keeps its
    full name as a tooltip)."""
    # A grid of what is drawn where: circles (with their account) and the names placed so far.
    placed: dict[tuple[int, int], list[tuple[tuple[float, float, float, float], str | None]]] = defaultdict(list)
    cell = 60.0
    body = []

    def cells(box):
        for gx in range(int(box[0] // cell), int(box[2] // cell) + 1):
            for gy in range(int(box[1] // cell), int(box[3] // cell) + 1):
                yield gx, gy

    def free(box, owner: str) -> bool:
        x0, y0, x1, y1 = box
        if x0 < 2 or x1 > width - 2 or y0 < top or y1 > height - 2:
            return False
        for key in cells(box):
            for (a0, b0, a1, b1), who in placed[key]:
                if who != owner and x0 < a1 and a0 < x1 and y0 < b1 and b0 < y1:
                    return False
        return True

    for node in nodes:
        x, y = xy(node["id"])
        r = radius(node)
        circle = (x - r, y - r, x + r, y + r)
        for key in cells(circle):
            placed[key].append((circle, node["id"]))

    for node in sorted(nodes, key=lambda item: (-item["degree"], item["id"])):
        name = names.get(node["id"]) or node["id"]
        label = short(name)
        x, y = xy(node["id"])
        r = radius(node)
        w = 0.6 * FONT * len(label) + 2
        for anchor, lx, ly in (("start", x + r + 2, y + FONT / 2 - 1), ("end", x - r - 2, y + FONT / 2 - 1),
                               ("middle", x, y - r - 3), ("middle", x, y + r + FONT + 1)):
            left = lx if anchor == "start" else lx - w if anchor == "end" else lx - w / 2
            box = (left, ly - FONT, left + w, ly + 2)
            if free(box, node["id"]):
                for key in cells(box):
                    placed[key].append((box, None))
                body.append(f'<text class="net-label" x="{num(lx)}" y="{num(ly)}" font-size="{FONT}" '
                            f'font-family="sans-serif" fill="#222" text-anchor="{anchor}" paint-order="stroke" '
                            f'stroke="#fff" stroke-width="3" stroke-linejoin="round">{escape(label)}'
                            f'<title>{escape(name)}</title></text>')
                break
    return body


def network_svg(graph: dict, width: int = WIDTH, names: dict[str, str] | None = None) -> str:
    label = "Account network: accounts (circles, by name) tied by the signals in the legend"
    nodes, links = graph.get("nodes") or [], graph.get("links") or []
    if not nodes:
        return svg(width, 60, label, [text(10, 30, "no ties between accounts")], "chart chart-network")
    names = names or {}
    margin = 24
    legend, legend_h = _legend(links, width, margin)
    ids = [n["id"] for n in nodes]
    ties = [(link["source"], link["target"], link["weight"]) for link in links]
    # Pixels per unit (about one node spacing): room for a short name beside most circles, never blown up. The
    # room for names between components is in pixels, so the packing is done again once the scale is known.
    room = LABEL_CHARS * 0.6 * FONT
    pos, span_x, span_y = layout(ids, ties, label_room=3.0)
    room_left = 45  # names left of the leftmost circles; those of the rightmost get `room`

    def scale(span: float) -> float:
        return min(64.0, (width - 2 * margin - room_left - room) / max(span, 1e-9))

    for _ in range(2):
        pos, span_x, span_y = layout(ids, ties, label_room=room / scale(span_x))
    unit = scale(span_x)
    left = margin + room_left + (width - 2 * margin - room_left - room - span_x * unit) / 2
    top = legend_h + 14
    height = int(top + span_y * unit + margin + 20)  # 20: the line under the drawing

    def xy(node_id):
        x, y = pos[node_id]
        return left + x * unit, top + y * unit

    top_degree = max(n["degree"] for n in nodes) or 1

    biggest = min(6.0, 0.22 * unit)  # circles never wider than the spacing between accounts

    def radius(node):
        return 2.5 + biggest * math.sqrt(node["degree"] / top_degree)

    peak = max((link["weight"] for link in links), default=1)
    body = [*legend, *_edge_paths(links, xy, peak, names)]
    for node in nodes:
        x, y = xy(node["id"])
        name = names.get(node["id"]) or node["id"]
        body.append(f'<circle class="net-node" data-account="{escape(node["id"])}" cx="{num(x)}" cy="{num(y)}" '
                    f'r="{num(radius(node))}" fill="#333" stroke="#fff">'
                    f'<title>{escape(name)} ({escape(node["id"])}), {node["degree"]} ties</title></circle>')
    labels = _labels(nodes, xy, radius, names, width, height, legend_h)
    if len(labels) < len(nodes):  # say so, rather than let a missing name look like a missing account
        body.append(text(width - margin, height - 8, f"names shown where they fit: {len(labels)} of {len(nodes)} "
                         "accounts; hover a circle for any account", anchor="end", size=10))
    body += labels
    return svg(width, height, label, body, "chart chart-network")
