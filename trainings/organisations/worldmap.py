"""The hubs' world map, drawn in Python from bundled Natural Earth data.

``data/countries-110m.json`` is world-atlas 2.0.2's TopoJSON (Natural Earth 1:110m, public
domain; ``package.json`` pins it, ``make map-data`` refreshes the copy). The arcs are
decoded once per process into SVG paths in an equirectangular projection; a page adds
its highlighted countries and numbered hub markers. The map is decorative (``aria-hidden``):
the list beside it carries the information.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from babel.core import get_global
from markupsafe import Markup, escape

DATA = Path(__file__).resolve().parent / "data" / "countries-110m.json"
WIDTH = 960
NORTH, SOUTH = 84.0, -58.0  # Antarctica and the far north left out
HEIGHT = round(WIDTH * (NORTH - SOUTH) / 360)
SKIP = {"010"}  # Antarctica


def _project(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180) * WIDTH / 360, (NORTH - lat) * HEIGHT / (NORTH - SOUTH)


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append(_project(x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs, indexes) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def _area(ring) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _centre(ring) -> tuple[float, float]:
    xs, ys = [p[0] for p in ring], [p[1] for p in ring]
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


def _path(rings) -> str:
    parts = []
    for ring in rings:
        # a ring that wraps round the antimeridian would streak across the map: cut it
        segment = []
        for x, y in ring:
            if segment and abs(x - segment[-1][0]) > WIDTH / 2:
                parts.append(segment)
                segment = []
            segment.append((x, y))
        parts.append(segment)
    return "".join("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in seg) + ("Z" if len(seg) > 2 else "")
                   for seg in parts if len(seg) > 1)


@lru_cache(maxsize=1)
def countries() -> dict[str, dict]:
    """alpha-2 code -> {"path": SVG path data, "centre": (x, y)} (decoded once per process)."""
    topology = json.loads(DATA.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    aliases = get_global("territory_aliases")
    result: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        numeric = str(geometry.get("id") or "")
        if numeric in SKIP or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        code = (aliases.get(numeric) or [None])[0] or f"n{numeric or len(result)}"
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        outers = [_ring(arcs, polygon[0]) for polygon in polygons]
        largest = max(outers, key=_area)
        entry = result.setdefault(code, {"path": "", "centre": _centre(largest), "size": 0.0})
        entry["path"] += _path(rings)
        if _area(largest) > entry["size"]:
            entry["centre"], entry["size"] = _centre(largest), _area(largest)
    return result


def hub_position(country_codes) -> tuple[float, float] | None:
    """Where a hub's marker goes: the middle of its organisations' countries."""
    shapes = countries()
    centres = [shapes[c]["centre"] for c in country_codes if c in shapes]
    if not centres:
        return None
    return (sum(x for x, _y in centres) / len(centres), sum(y for _x, y in centres) / len(centres))


def render(markers: list[dict], *, highlight=(), title: str = "") -> Markup:
    """An inline SVG: every country, ``highlight`` ones filled, and numbered markers
    (``{"number", "position": (x, y)}``). Presentation attributes only (the CSP forbids
    inline styles)."""
    highlight = set(highlight)
    shapes = countries()
    out = [f'<svg class="world-map" viewBox="0 0 {WIDTH} {HEIGHT}" xmlns="http://www.w3.org/2000/svg" '
           'aria-hidden="true" focusable="false" preserveAspectRatio="xMidYMid meet">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#eef4f8"/>']
    if title:
        out.append(f"<title>{escape(title)}</title>")
    for code, shape in sorted(shapes.items()):
        fill = "#c0537a" if code in highlight else "#d5d9dd"
        out.append(f'<path data-country="{escape(code)}" fill="{fill}" stroke="#ffffff" '
                   f'stroke-width="0.5" d="{shape["path"]}"/>')
    for marker in markers:
        if marker.get("position") is None:
            continue
        x, y = marker["position"]
        out.append(f'<g class="hub-marker"><circle cx="{x:.1f}" cy="{y:.1f}" r="11" '
                   'fill="#1f3a5f" stroke="#ffffff" stroke-width="2"/>'
                   f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle" font-size="12" '
                   f'font-weight="bold" fill="#ffffff">{int(marker["number"])}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 - every text above is escaped or a number
