"""A cluster's timeline: its posts per time bucket against all posts stored in the same window, and its chart."""

import math
from datetime import datetime, timedelta
from html import escape
from typing import NamedTuple

from api.render.svg import num, svg, text
from smearwatch.models import Cluster

TIMELINE_BUCKETS = 48
CLUSTER_COLOUR = "#d62728"
BACKGROUND_COLOUR = "#c7c7c7"


class Window(NamedTuple):
    start: datetime
    width: int  # seconds per bucket
    end: datetime


def timeline_window(cluster: Cluster) -> Window | None:
    """The cluster's span with half of it (at least an hour) on either side, cut into TIMELINE_BUCKETS buckets;
    None when the cluster has no timestamps."""
    if cluster.start is None or cluster.end is None:
        return None
    span = max((cluster.end - cluster.start).total_seconds(), 60.0)
    pad = max(span * 0.5, 3600.0)
    lo = cluster.start - timedelta(seconds=pad)
    width = max(int(math.ceil((span + 2 * pad) / TIMELINE_BUCKETS)), 1)
    return Window(lo, width, lo + timedelta(seconds=width * TIMELINE_BUCKETS))


def timeline(window: Window | None, ours: dict[int, int], background: dict[int, int]) -> dict:
    """Per bucket of `window`: the cluster's posts (`ours`) and all posts (`background`), keyed by bucket number."""
    if window is None:
        return {"start": None, "bucket_seconds": 0, "buckets": []}
    buckets = [
        {"start": (window.start + timedelta(seconds=i * window.width)).isoformat(), "cluster": ours.get(i, 0),
         "background": background.get(i, 0)}
        for i in range(TIMELINE_BUCKETS)
    ]
    return {"start": window.start.isoformat(), "bucket_seconds": window.width, "buckets": buckets}


def timeline_svg(data: dict, width: int = 720, height: int = 220) -> str:
    """Bars of the cluster's posts per bucket over the grey bars of all posts in the same window."""
    buckets = data.get("buckets") or []
    label = "Timeline: cluster posts (red) against all posts stored in the same window (grey)"
    if not buckets:
        return svg(width, 60, label, [text(10, 30, "no timestamps")], "chart chart-timeline")
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
            body.append(f'<rect class="bar-{kind}" x="{num(x + 0.5)}" y="{num(top + plot_h - h)}" '
                        f'width="{num(max(bar_w - 1, 0.5))}" height="{num(h)}" fill="{colour}">'
                        f'<title>{escape(b["start"][:16])}: {n} {"cluster" if kind == "cluster" else "all"} posts'
                        f"</title></rect>")
    body.append(text(left - 4, top + 8, str(peak), "end"))
    body.append(text(left - 4, top + plot_h, "0", "end"))
    body.append(text(left, height - 18, buckets[0]["start"][:16].replace("T", " ")))
    body.append(text(width - right, height - 18, buckets[-1]["start"][:16].replace("T", " "), "end"))
    body.append(f'<rect x="{left}" y="{height - 12}" width="10" height="8" fill="{CLUSTER_COLOUR}"/>')
    body.append(text(left + 14, height - 4, "cluster posts"))
    body.append(f'<rect x="{left + 110}" y="{height - 12}" width="10" height="8" fill="{BACKGROUND_COLOUR}"/>')
    body.append(text(left + 124, height - 4, f"all posts (per {_bucket_span(data['bucket_seconds'])})"))
    return svg(width, height, label, body, "chart chart-timeline")


def _bucket_span(seconds: int) -> str:
    if seconds >= 86400:
        return f"{seconds / 86400:.1f} d"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{max(seconds // 60, 1)} min"
