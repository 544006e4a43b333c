"""Accessible bar charts: an SVG (decorative, ``aria-hidden``) drawn beside a data table
that carries the same figures. Presentation attributes only (the CSP forbids inline styles)."""
from __future__ import annotations

from markupsafe import Markup, escape

ROW = 26
LABEL = 150
BAR = 220


def bars(rows: list[tuple[str, int]]) -> dict:
    """``{"svg": Markup, "rows": rows}`` for the template's chart-with-table macro."""
    rows = [(str(label), int(value or 0)) for label, value in rows]
    top = max((v for _l, v in rows), default=0) or 1
    height = ROW * len(rows) + 4
    width = LABEL + BAR + 50
    out = [f'<svg viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" '
           'aria-hidden="true" focusable="false">']
    for index, (label, value) in enumerate(rows):
        y = index * ROW + 2
        length = round(BAR * value / top, 1)
        short = label if len(label) <= 22 else label[:21] + "…"
        out.append(f'<text x="{LABEL - 6}" y="{y + 16}" text-anchor="end" font-size="12" '
                   f'fill="#1b1f23">{escape(short)}</text>')
        out.append(f'<rect x="{LABEL}" y="{y + 3}" width="{length}" height="{ROW - 8}" '
                   'fill="#1f3a5f"/>')
        out.append(f'<text x="{LABEL + length + 4}" y="{y + 16}" font-size="12" '
                   f'fill="#1b1f23">{value}</text>')
    out.append("</svg>")
    return {"svg": Markup("".join(out)), "rows": rows}  # noqa: S704 - labels escaped
