"""The accounts of a cluster: the histogram of their creation dates and its chart."""

from datetime import datetime
from html import escape

from api.render.svg import num, svg, text


def creation_histogram(accounts: list[dict], bins: int = 30) -> dict:
    dates = sorted(datetime.fromisoformat(a["created_at"]) for a in accounts if a.get("created_at"))
    if not dates:
        return {"bins": [], "unknown": len(accounts)}
    lo, hi = dates[0].timestamp(), dates[-1].timestamp()
    # Always `bins` bars of at least a day: dates within a few days (or one known date) are narrow bars in the
    # middle of the axis, not one bar across the whole chart.
    width = max((hi - lo) / bins, 86400.0)
    lo -= (bins * width - (hi - lo)) / 2
    n = bins
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
        return svg(width, 60, label, [text(10, 30, "no account creation dates")], "chart chart-histogram")
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
        body.append(f'<rect class="bar-created" x="{num(left + i * bar_w + 0.5)}" y="{num(top + plot_h - h)}" '
                    f'width="{num(max(bar_w - 1, 0.5))}" height="{num(h)}" fill="{colour}">'
                    f'<title>{escape(b["start"][:10])}: {b["count"]} accounts created</title></rect>')
    if histogram.get("unknown"):
        known = sum(b["count"] for b in bins)
        body.append(text(width - right, top + 8, f'{histogram["unknown"]} of {known + histogram["unknown"]} '
                         "accounts without a creation date", "end"))
    body.append(text(left - 4, top + 8, str(peak), "end"))
    body.append(text(left - 4, top + plot_h, "0", "end"))
    body.append(text(left, height - 8, bins[0]["start"][:10]))
    body.append(text(width - right, height - 8, f'{bins[-1]["start"][:10]} (bins of {histogram["bin_days"]} d)',
                     "end"))
    return svg(width, height, label, body, "chart chart-histogram")
