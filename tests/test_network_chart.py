"""The account network chart: a deterministic layout without piled-up or overlapping accounts, names beside the
circles, one line style per signal, parallel edges apart, and a legend."""

import random
import re
from datetime import UTC, datetime

import numpy as np

from api.render import network
from api.render.layout import layout
from api.render.network import SIGNAL_STYLES, network_of, network_svg
from smearwatch.account_network import AccountEdge, AccountNetwork


def big_graph(accounts: int = 500, seed: int = 3) -> dict:
    """Groups of near-complete ties (as co-action evidence is), bridges between them and many lone pairs."""
    rng = random.Random(seed)
    ids = [f"twitter:a{i:03d}" for i in range(accounts)]
    ties = {}
    start = 0
    for size in (80, 60, 50, 40, 30, 20):
        group = ids[start:start + size]
        start += size
        for a in group:
            for b in rng.sample(group, 5):
                if a < b:
                    ties[(a, b, "co_hashtag")] = rng.randint(1, 4)
                    if rng.random() < 0.3:
                        ties[(a, b, "burst")] = 1
    for _ in range(30):
        a, b = sorted(rng.sample(ids[:start], 2))
        ties[(a, b, "co_link")] = 1
    for i in range(start, accounts - 1, 2):
        ties[(ids[i], ids[i + 1], "co_repost")] = 1
    degree = {}
    for (a, b, _), w in ties.items():
        degree[a] = degree.get(a, 0) + w
        degree[b] = degree.get(b, 0) + w
    return {"nodes": [{"id": i, "degree": d} for i, d in sorted(degree.items())],
            "links": [{"source": a, "target": b, "signal": s, "weight": w} for (a, b, s), w in sorted(ties.items())]}


def test_layout_is_deterministic_and_spread():
    graph = big_graph()
    ids = [n["id"] for n in graph["nodes"]]
    ties = [(link["source"], link["target"], link["weight"]) for link in graph["links"]]
    positions, width, height = layout(ids, ties)
    shuffled = ties[::-1]
    assert layout(list(reversed(ids)), shuffled) == (positions, width, height)
    points = np.array([positions[i] for i in ids])
    assert points.min() >= 0 and points[:, 0].max() <= width + 1e-9 and points[:, 1].max() <= height + 1e-9
    delta = points[:, None, :] - points[None, :, :]
    distance = np.sqrt((delta ** 2).sum(axis=2))
    np.fill_diagonal(distance, np.inf)
    assert distance.min() > 0.5  # no two accounts on top of each other (units: about one node spacing)
    # nothing piles up along the frame: few accounts within half a unit of the drawing's border
    near_border = ((points[:, 0] < 0.5) | (points[:, 0] > width - 0.5) | (points[:, 1] < 0.5)
                   | (points[:, 1] > height - 0.5))
    assert near_border.mean() < 0.15
    assert 0.4 < width / height < 4


def test_chart_names_signals_and_parallel_edges():
    graph = {"nodes": [{"id": "x:1", "degree": 3}, {"id": "x:2", "degree": 2}, {"id": "x:3", "degree": 1}],
             "links": [{"source": "x:1", "target": "x:2", "signal": "co_hashtag", "weight": 1},
                       {"source": "x:1", "target": "x:2", "signal": "burst", "weight": 1},
                       {"source": "x:1", "target": "x:3", "signal": "near_duplicate", "weight": 1}]}
    long_name = "Официальная страница патриотов Казахстана"
    chart = network_svg(graph, names={"x:1": long_name, "x:2": "bolat", "x:3": "<b>&"})
    assert ' style="' not in chart and "<script" not in chart
    labels = re.findall(r'<text class="net-label"[^>]*>([^<]*)<title>([^<]*)</title></text>', chart)
    assert sorted(labels) == sorted([("Официальная стран…", long_name), ("bolat", "bolat"),
                                     ("&lt;b&gt;&amp;", "&lt;b&gt;&amp;")])
    edges = re.findall(r'<path class="net-edge" data-signal="(\w+)" d="([^"]+)"[^>]*stroke="(#\w+)"'
                       r'[^>]*?(?: stroke-dasharray="([^"]+)")?>', chart)
    by_signal = {signal: (d, colour, dash) for signal, d, colour, dash in edges}
    assert set(by_signal) == {"co_hashtag", "burst", "near_duplicate"}
    assert by_signal["co_hashtag"][0] != by_signal["burst"][0]  # the burst is not drawn under the hashtag tie
    assert "Q" in by_signal["co_hashtag"][0] and "Q" in by_signal["burst"][0]  # both bowed, to either side
    assert "L" in by_signal["near_duplicate"][0]  # a single tie stays straight
    assert len({(colour, dash) for _, colour, dash in by_signal.values()}) == 3
    legend = re.findall(r'<line class="net-legend" data-signal="(\w+)"', chart)
    assert legend == ["burst", "co_hashtag", "near_duplicate"]
    assert len({(colour, dash) for colour, dash, _ in SIGNAL_STYLES.values()}) == len(SIGNAL_STYLES)


def test_big_chart_names_what_fits_and_says_so():
    graph = big_graph()
    chart = network_svg(graph, names={n["id"]: f"account number {n['id'][-3:]}" for n in graph["nodes"]})
    assert chart.count('class="net-node"') == len(graph["nodes"])
    shown = chart.count('class="net-label"')
    assert shown >= 100
    assert f"names shown where they fit: {shown} of {len(graph['nodes'])} accounts" in chart
    height = int(re.search(r'viewBox="0 0 \d+ (\d+)"', chart).group(1))
    assert 400 < height < 2000
    xs = [float(x) for x in re.findall(r'<circle class="net-node"[^>]* cx="([\d.]+)"', chart)]
    ys = [float(y) for y in re.findall(r'<circle class="net-node"[^>]* cy="([\d.]+)"', chart)]
    assert min(xs) > 0 and max(xs) < 1100 and min(ys) > 0 and max(ys) < height


def test_the_chart_keeps_the_strongest_ties_of_the_most_connected_accounts(monkeypatch):
    monkeypatch.setattr(network, "NETWORK_NODES", 4)
    monkeypatch.setattr(network, "NETWORK_LINKS", 3)
    when = datetime(2020, 4, 28, tzinfo=UTC)
    ties = [("a", "b", 5), ("a", "c", 4), ("b", "c", 3), ("c", "d", 2), ("d", "e", 1), ("a", "d", 1)]
    accounts = AccountNetwork(clusters=(1,), nodes=(), edges=tuple(
        AccountEdge(source=f"x:{a}", target=f"x:{b}", signal="co_hashtag", weight=w, first=when, last=when)
        for a, b, w in ties))
    graph = network_of(accounts)
    assert [(link["source"][2:], link["target"][2:], link["weight"]) for link in graph["links"]] == [
        ("a", "b", 5), ("a", "c", 4), ("b", "c", 3)]
    assert [node["id"] for node in graph["nodes"]] == ["x:a", "x:b", "x:c"]  # d is kept but has no tie drawn
    assert graph["truncated"]
