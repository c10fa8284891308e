"""Server-rendered, accessible SVG charts (no JavaScript).

Each chart is an ``<svg role="img" aria-labelledby="title desc">`` with a
``<title>`` and a ``<desc>`` that states every value in words, and every bar is
labelled with its value in text, so nothing relies on colour alone. The pages
show the same data in a table next to the chart.
"""
from __future__ import annotations

from markupsafe import Markup, escape

BLUE = "#1d70b8"   # GOV.UK blue
TEXT = "#0b0c0c"   # GOV.UK text
GREY = "#b1b4b6"   # GOV.UK mid-grey (axis)


def _svg(id_: str, title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" id="{escape(id_)}" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(id_)}-title {escape(id_)}-desc">'
        f'<title id="{escape(id_)}-title">{escape(title)}</title>'
        f'<desc id="{escape(id_)}-desc">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def column_chart(id_: str, title: str, points: list[tuple[str, int]], *, desc_intro: str = "") -> Markup:
    """Vertical bars, one per point (e.g. completions per month), each labelled with its value."""
    width, height, left, bottom, top = 760, 260, 10, 40, 24
    n = max(1, len(points))
    slot = (width - left * 2) / n
    peak = max([v for _, v in points] + [1])
    plot = height - bottom - top
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - left}" y2="{height - bottom}" '
            f'stroke="{GREY}" stroke-width="1"/>']
    for i, (label, value) in enumerate(points):
        h = round(plot * value / peak, 1)
        x = round(left + i * slot + slot * 0.15, 1)
        w = round(slot * 0.7, 1)
        y = round(height - bottom - h, 1)
        cx = round(x + w / 2, 1)
        body.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="{BLUE}"/>')
        body.append(f'<text x="{cx}" y="{round(y - 4, 1)}" text-anchor="middle" font-size="12" '
                    f'fill="{TEXT}">{value}</text>')
        body.append(f'<text x="{cx}" y="{height - bottom + 16}" text-anchor="middle" font-size="11" '
                    f'fill="{TEXT}">{escape(label[2:] if len(label) == 7 else label)}</text>')
    desc = (desc_intro + " " + "; ".join(f"{label}: {value}" for label, value in points)).strip()
    return _svg(id_, title, desc, width, height, body)


def bar_chart(id_: str, title: str, points: list[tuple[str, float, str]], *, desc_intro: str = "",
              maximum: float | None = None) -> Markup:
    """Horizontal bars: (label, value, value as text), e.g. completion rate by region."""
    row, label_w, width, pad = 28, 260, 760, 8
    height = max(1, len(points)) * row + pad * 2
    peak = maximum or max([v for _, v, _ in points] + [1e-9])
    plot = width - label_w - 90
    body = []
    for i, (label, value, text) in enumerate(points):
        y = pad + i * row
        w = round(plot * (value / peak if peak else 0), 1)
        body.append(f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" '
                    f'fill="{TEXT}">{escape(label)}</text>')
        body.append(f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row - 10}" fill="{BLUE}"/>')
        body.append(f'<text x="{round(label_w + w + 6, 1)}" y="{y + 18}" font-size="13" '
                    f'fill="{TEXT}">{escape(text)}</text>')
    body.append(f'<line x1="{label_w}" y1="{pad}" x2="{label_w}" y2="{height - pad}" stroke="{GREY}"/>')
    desc = (desc_intro + " " + "; ".join(f"{label}: {text}" for label, _, text in points)).strip()
    return _svg(id_, title, desc, width, height, body)
