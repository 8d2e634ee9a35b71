"""A campaign's timeline: one bar per cluster from its first to its last post, on one time axis, coloured by its
verdict, so a reviewer sees the bursts the campaign is made of and when each happened."""

from datetime import datetime
from html import escape

from api.render.svg import num, svg, text

COLOURS = {"smear": "#d62728", "coordinated": "#ff9f1c", "organic": "#7fbf7f"}
ROW = 18
MAX_ROWS = 60


def campaign_timeline_svg(clusters: list[dict], width: int = 900) -> str:
    """`clusters`: dicts with id, label, n_posts, n_accounts, start and end (earliest first is drawn top down)."""
    label = "Campaign timeline: one bar per cluster, from its first to its last post (UTC)"
    dated = sorted((c for c in clusters if c.get("start") is not None), key=lambda c: (c["start"], c["id"]))
    if not dated:
        return svg(width, 40, label, [text(10, 24, "no timestamps")], "chart chart-campaign")
    shown = dated[:MAX_ROWS]
    lo = min(c["start"] for c in shown)
    hi = max((c["end"] or c["start"]) for c in shown)
    span = max((hi - lo).total_seconds(), 3600.0)
    left, right, top = 170, 20, 8
    plot_w = width - left - right
    height = top + ROW * len(shown) + 40

    def x(moment: datetime) -> float:
        return left + plot_w * (moment - lo).total_seconds() / span

    body = []
    for i, c in enumerate(shown):
        y = top + i * ROW
        x0, x1 = x(c["start"]), x(c["end"] or c["start"])
        tip = (f'cluster {c["id"]}: {c["label"]}, {c["n_posts"]} posts by {c["n_accounts"]} accounts, '
               f'{c["start"]:%d %b %H:%M} – {(c["end"] or c["start"]):%d %b %H:%M} UTC')
        body.append(text(left - 6, y + 12, f'#{c["id"]} · {c["n_posts"]} posts', "end"))
        body.append(f'<a href="/clusters/{c["id"]}"><rect class="bar-part bar-{escape(c["label"])}" '
                    f'x="{num(x0)}" y="{num(y + 3)}" width="{num(max(x1 - x0, 3.0))}" height="{ROW - 6}" '
                    f'fill="{COLOURS.get(c["label"], "#999")}"><title>{escape(tip)}</title></rect></a>')
    axis_y = top + ROW * len(shown) + 4
    body.append(f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" stroke="#999"/>')
    body.append(text(left, axis_y + 14, f"{lo:%d %b %Y %H:%M}"))
    body.append(text(width - right, axis_y + 14, f"{hi:%d %b %Y %H:%M} UTC", "end"))
    legend_x = left
    for name, colour in COLOURS.items():
        body.append(f'<rect x="{legend_x}" y="{axis_y + 22}" width="10" height="8" fill="{colour}"/>')
        body.append(text(legend_x + 14, axis_y + 30, name))
        legend_x += 100
    if len(dated) > len(shown):
        body.append(text(width - right, axis_y + 30, f"first {len(shown)} of {len(dated)} clusters", "end"))
    return svg(width, height + 8, label, body, "chart chart-campaign")
