"""SVG building blocks for the charts. Colours are presentation attributes (never `style`), so the markup obeys a
strict CSP and needs no CSS; the same markup goes into the cluster page and the self-contained report."""

from html import escape


def num(value: float) -> str:
    return f"{value:.1f}"


def svg(width: int, height: int, label: str, body: list[str], css_class: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}">'
            f"<title>{escape(label)}</title>{''.join(body)}</svg>")


def text(x: float, y: float, content: str, anchor: str = "start", size: int = 11) -> str:
    return (f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" font-family="sans-serif" fill="#333" '
            f'text-anchor="{anchor}">{escape(content)}</text>')
