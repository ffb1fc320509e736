"""Server-side SVG charts: a line chart for time series, a bar chart for categories, and sparklines.

No JavaScript chart library: the SVG is built here, escaped, and inlined in the page (and works offline).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#2563eb", "#16a34a", "#db2777", "#ea580c", "#7c3aed", "#0891b2", "#ca8a04", "#475569")


def _num(value: object) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def fmt_number(value: float) -> str:
    """A compact label: 1.2k, 3.4M, 0.25."""
    a = abs(value)
    if a >= 1e9:
        return f"{value / 1e9:.1f}B"
    if a >= 1e6:
        return f"{value / 1e6:.1f}M"
    if a >= 1e4:
        return f"{value / 1e3:.0f}k"
    if a >= 1e3:
        return f"{value / 1e3:.1f}k"
    if a == int(a):
        return str(int(value))
    return f"{value:.2f}" if a >= 1 else f"{value:.3f}"


def _ticks(lo: float, hi: float, n: int = 4) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=raw)
    first = math.floor(lo / step) * step
    out = []
    v = first
    while v <= hi + step * 0.01:
        if v >= lo - step * 0.01:
            out.append(round(v, 10))
        v += step
    return out


def _bounds(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = min([0.0, *values]), max([0.0, *values])
    if hi == lo:
        hi = lo + 1
    return lo, hi


def line_chart(
    labels: Sequence[str], series: dict[str, Sequence[object]], *, width: int = 760, height: int = 300
) -> str:
    """An SVG line chart: ``labels`` along x (already ordered), one line per series."""
    clean = {k: [_num(v) for v in vs] for k, vs in series.items()}
    values = [v for vs in clean.values() for v in vs if v is not None]
    if not labels or not values:
        return _empty(width, height)
    left, right, top, bottom = 64, 40, 16, 48
    pw, ph = width - left - right, height - top - bottom
    lo, hi = _bounds(values)
    ticks = _ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    n = len(labels)

    def x(i: int) -> float:
        return left + (pw * i / (n - 1) if n > 1 else pw / 2)

    def y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    parts = [_open(width, height, "line")]
    parts += _grid(ticks, y, left, width - right)
    step = max(1, math.ceil(n / 8))
    for i in range(0, n, step):
        parts.append(
            f'<text class="axis" x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="middle">'
            f"{escape(str(labels[i]))}</text>"
        )
    for si, (name, vs) in enumerate(clean.items()):
        color = PALETTE[si % len(PALETTE)]
        points = [(x(i), y(v)) for i, v in enumerate(vs) if v is not None]
        path = " ".join(f"{'M' if j == 0 else 'L'}{px:.1f},{py:.1f}" for j, (px, py) in enumerate(points))
        parts.append(
            f'<path class="series" data-series="{escape(name)}" d="{path}" fill="none" '
            f'stroke="{color}" stroke-width="2"/>'
        )
        if len(points) <= 60:
            for (px, py), (i, v) in zip(
                points, [(i, v) for i, v in enumerate(vs) if v is not None], strict=True
            ):
                parts.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{color}">'
                    f"<title>{escape(str(labels[i]))}: {escape(name)} = {fmt_number(v)}</title></circle>"
                )
    parts += _legend(list(clean), left, height - 10)
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    labels: Sequence[str], series: dict[str, Sequence[object]], *, width: int = 760, height: int = 300
) -> str:
    """An SVG grouped bar chart: one group per label, one bar per series."""
    clean = {k: [_num(v) for v in vs] for k, vs in series.items()}
    values = [v for vs in clean.values() for v in vs if v is not None]
    if not labels or not values:
        return _empty(width, height)
    labels = list(labels)[:40]
    left, right, top, bottom = 64, 16, 16, 56
    pw, ph = width - left - right, height - top - bottom
    lo, hi = _bounds(values)
    ticks = _ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])

    def y(v: float) -> float:
        return top + ph - (v - lo) / (hi - lo) * ph

    parts = [_open(width, height, "bar")]
    parts += _grid(ticks, y, left, width - right)
    group = pw / len(labels)
    k = max(1, len(clean))
    bw = max(2.0, group * 0.8 / k)
    for i, label in enumerate(labels):
        gx = left + group * i + group * 0.1
        for si, (name, vs) in enumerate(clean.items()):
            v = vs[i] if i < len(vs) else None
            if v is None:
                continue
            y0, y1 = y(max(v, 0.0)), y(min(v, 0.0))
            parts.append(
                f'<rect class="bar" x="{gx + si * bw:.1f}" y="{y0:.1f}" width="{bw - 1:.1f}" '
                f'height="{max(0.5, y1 - y0):.1f}" fill="{PALETTE[si % len(PALETTE)]}">'
                f"<title>{escape(str(label))}: {escape(name)} = {fmt_number(v)}</title></rect>"
            )
        text = str(label)
        text = text if len(text) <= 14 else text[:13] + "…"
        parts.append(
            f'<text class="axis" x="{gx + group * 0.4:.1f}" y="{height - bottom + 16}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
    parts += _legend(list(clean), left, height - 10)
    parts.append("</svg>")
    return "".join(parts)


def sparkline(values: Sequence[object], *, width: int = 120, height: int = 28) -> str:
    """A tiny line of ``values`` (e.g. daily usage counts), no axes."""
    nums = [_num(v) or 0.0 for v in values]
    if not nums:
        return ""
    hi = max(nums) or 1.0
    n = len(nums)
    pts = [
        (2 + (width - 4) * i / max(1, n - 1), height - 2 - (height - 4) * v / hi) for i, v in enumerate(nums)
    ]
    d = " ".join(f"{'M' if i == 0 else 'L'}{px:.1f},{py:.1f}" for i, (px, py) in enumerate(pts))
    return (
        f'<svg class="sparkline" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="usage, last {n} days">'
        f'<path d="{d}" fill="none" stroke="#2563eb" stroke-width="1.5"/></svg>'
    )


def _open(width: int, height: int, kind: str) -> str:
    return (
        f'<svg class="chart chart-{kind}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" role="img" data-kind="{kind}">'
    )


def _grid(ticks: Sequence[float], y: object, x0: int, x1: int) -> list[str]:
    out = []
    for t in ticks:
        yy = y(t)  # type: ignore[operator]
        out.append(f'<line class="grid" x1="{x0}" x2="{x1}" y1="{yy:.1f}" y2="{yy:.1f}"/>')
        out.append(
            f'<text class="axis" x="{x0 - 6}" y="{yy + 4:.1f}" text-anchor="end">{fmt_number(t)}</text>'
        )
    return out


def _legend(names: Sequence[str], x: int, y: int) -> list[str]:
    out = []
    cx = x
    for i, name in enumerate(names):
        out.append(f'<rect x="{cx}" y="{y - 9}" width="10" height="10" fill="{PALETTE[i % len(PALETTE)]}"/>')
        out.append(f'<text class="legend" x="{cx + 14}" y="{y}">{escape(name)}</text>')
        cx += 24 + 7 * len(name)
    return out


def _empty(width: int, height: int) -> str:
    return (
        f'<svg class="chart chart-empty" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%"><text x="{width / 2}" y="{height / 2}" text-anchor="middle" class="axis">'
        "No numeric values to chart</text></svg>"
    )
