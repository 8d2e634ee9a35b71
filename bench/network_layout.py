"""The account network chart at 50, 150 and 500 accounts: time of the layout and of the whole SVG, cold (the
layout cache cleared) and warm, with the size of the SVG and how many names fit.

    .venv/bin/python bench/network_layout.py [--accounts 50 150 500] [--svg DIR]

The graph is shaped like a big smear cluster's evidence: groups of 20-60 accounts tied by near-duplicate text and
shared hashtags (bursts on some of the same pairs), a ring of reposters, bridges between groups and many pairs.
`--svg DIR` writes each chart to DIR/network-N.svg to look at.
"""

import argparse
import random
import sys
import time
from pathlib import Path

# bench/api.py would shadow the `api` package when this runs as bench/network_layout.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from api.render import layout as layout_module
from api.render.network import network_svg


def graph(accounts: int, seed: int = 5) -> tuple[dict, dict[str, str]]:
    rng = random.Random(seed)
    ids = [f"twitter:a{i:04d}" for i in range(accounts)]
    ties: dict[tuple[str, str, str], int] = {}

    def tie(a: str, b: str, signal: str) -> None:
        if a != b:
            key = (*sorted((a, b)), signal)
            ties[key] = ties.get(key, 0) + 1

    start = 0
    for share in (0.12, 0.1, 0.09, 0.08, 0.07, 0.06, 0.05, 0.04):
        group = ids[start:start + max(3, int(accounts * share))]
        start += len(group)
        for a in group:
            for b in rng.sample(group, min(4, len(group))):
                tie(a, b, "near_duplicate")
                if rng.random() < 0.35:
                    tie(a, b, "co_hashtag")
                if rng.random() < 0.2:
                    tie(a, b, "burst")
    reposters = ids[start:start + int(accounts * 0.18)]
    start += len(reposters)
    for a in reposters:
        for b in rng.sample(reposters, min(3, len(reposters))):
            tie(a, b, "co_repost")
    rest = ids[start:]
    for i in range(0, len(rest) - 1, 2):
        tie(rest[i], rest[i + 1], rng.choice(["co_link", "co_reply", "co_hashtag"]))
    for _ in range(accounts // 12):
        tie(*rng.sample(ids[:start], 2), "co_link")
    degree: dict[str, int] = {}
    for (a, b, _), n in ties.items():
        degree[a] = degree.get(a, 0) + n
        degree[b] = degree.get(b, 0) + n
    nodes = [{"id": i, "degree": d} for i, d in sorted(degree.items())]
    links = [{"source": a, "target": b, "signal": s, "weight": n} for (a, b, s), n in sorted(ties.items())]
    names = {i: f"{rng.choice(['Айгерим', 'Nurlan', 'Patriot', 'Qazaq'])} {rng.choice(['Omarov', 'Сейткали', 'KZ'])}"
             f"{rng.randrange(1, 999)}" for i in degree}
    return {"nodes": nodes, "links": links, "truncated": False}, names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, nargs="+", default=[50, 150, 500])
    parser.add_argument("--svg", type=Path, help="write each chart to DIR/network-N.svg")
    args = parser.parse_args()
    print(f"{'accounts':>8} {'pairs':>6} {'layout cold s':>13} {'svg cold s':>10} {'svg warm s':>10} "
          f"{'svg KB':>7} {'names':>7}")
    for accounts in args.accounts:
        network, names = graph(accounts)
        ids = [n["id"] for n in network["nodes"]]
        ties = [(link["source"], link["target"], link["weight"]) for link in network["links"]]
        layout_module._components.cache_clear()
        started = time.perf_counter()
        layout_module.layout(ids, ties)
        layout_cold = time.perf_counter() - started
        layout_module._components.cache_clear()
        started = time.perf_counter()
        chart = network_svg(network, names=names)
        svg_cold = time.perf_counter() - started
        started = time.perf_counter()
        network_svg(network, names=names)
        svg_warm = time.perf_counter() - started
        shown = chart.count('class="net-label"')
        print(f"{len(ids):>8} {len(network['links']):>6} {layout_cold:>13.3f} {svg_cold:>10.3f} {svg_warm:>10.3f} "
              f"{len(chart) / 1024:>7.0f} {shown:>3}/{len(ids):<3}")
        if args.svg:
            args.svg.mkdir(parents=True, exist_ok=True)
            (args.svg / f"network-{accounts}.svg").write_text(chart)


if __name__ == "__main__":
    main()
