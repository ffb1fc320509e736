"""Charts: the data of a chart (``chart_spec``), drawn in the browser by ``static/chart.js`` with Apache
ECharts (vendored, served locally), and the metric page's sparkline (a few bytes of SVG, no script).

``chart_spec`` turns a result (columns described by ``result_columns``) into one JSON document: the x axis
labels (periods as people say them), one series per metric and category, each with its unit, the chart
types that fit and the one chosen. Any page can show it with the ``chart`` macro of ``_chart.html``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from metricmind.interfaces.web.formats import format_number, time_label

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


CHART_TYPES = ("line", "bar", "stacked", "area", "table", "number")
"""What a result can be shown as; ``number`` (big numbers) only without dimensions."""
ADDITIVE = ("currency", "count", "number")
MAX_SERIES = 12


def _sort_key(value: Any) -> tuple[int, Any]:
    return (1, "") if value is None else (0, value)


def chart_spec(
    columns: Sequence[dict[str, Any]], rows: Sequence[Sequence[Any]], chosen: str = ""
) -> dict[str, Any]:
    """The chart of a result: ``columns`` as ``result_columns`` describes them (``kind`` time, dimension or
    metric; ``grain``; ``unit``), ``rows`` raw. ``chosen`` (from the URL) wins when it fits the result.

    Defaults: over time → line (stacked bars when one additive metric is split by a category); over a
    category → bar; no dimension → big numbers; nothing numeric → table.
    """
    metrics = [i for i, c in enumerate(columns) if c["kind"] == "metric"]
    times = [i for i, c in enumerate(columns) if c["kind"] == "time"]
    dims = [i for i, c in enumerate(columns) if c["kind"] == "dimension"]
    if not metrics or not rows:
        return {"type": "table", "types": ["table"]}
    if not times and not dims:
        numbers = [
            {
                "label": columns[i]["label"],
                "name": columns[i]["name"],
                "value": _num(rows[0][i]),
                "text": format_number(rows[0][i], columns[i]["unit"], columns[i].get("currency", "USD")),
            }
            for i in metrics
        ]
        types = ["number", "table"]
        return {"type": chosen if chosen in types else "number", "types": types, "numbers": numbers}
    x = times[0] if times else dims[0]
    keys = [i for i in times + dims if i != x]
    xcol = columns[x]
    # x positions: periods in time order; categories by the first metric's total, largest first
    totals: dict[Any, float] = {}
    for r in rows:
        totals[r[x]] = totals.get(r[x], 0.0) + abs(_num(r[metrics[0]]) or 0.0)
    if xcol["kind"] == "time":
        xs = sorted(totals, key=_sort_key)
    else:
        xs = sorted(totals, key=lambda v: (-totals[v], str(v)))
    pos = {v: i for i, v in enumerate(xs)}
    series: dict[tuple[int, tuple[Any, ...]], list[float | None]] = {}
    weight: dict[tuple[int, tuple[Any, ...]], float] = {}
    for r in rows:
        key_values = tuple(r[k] for k in keys)
        for m in metrics:
            sid = (m, key_values)
            values = series.setdefault(sid, [None] * len(xs))
            value = _num(r[m])
            values[pos[r[x]]] = value
            weight[sid] = weight.get(sid, 0.0) + abs(value or 0.0)
    series = {sid: values for sid, values in series.items() if any(v is not None for v in values)}
    if not series:  # nothing numeric to draw (e.g. a rate that needs a grain): the table says it
        return {"type": "table", "types": ["table"]}
    ordered = sorted(series, key=lambda sid: (sid[0], -weight[sid], [str(v) for v in sid[1]]))
    kept = ordered[:MAX_SERIES]
    out = []
    for m, key_values in kept:
        parts = [_key_label(columns[k], v) for k, v in zip(keys, key_values, strict=True)]
        name = " · ".join(parts)
        if len(metrics) > 1 or not parts:
            name = f"{columns[m]['label']} · {name}" if parts else columns[m]["label"]
        out.append(
            {
                "name": name,
                "metric": columns[m]["name"],
                "unit": columns[m]["unit"],
                "currency": columns[m].get("currency", "USD"),
                "values": series[(m, key_values)],
            }
        )
    units = {columns[m]["unit"] for m, _ in kept}
    if xcol["kind"] == "time":
        additive = len(metrics) == 1 and units <= set(ADDITIVE)
        default = "stacked" if keys and additive else "line"
    else:
        default = "bar"
    types = ["line", "bar", "stacked", "area", "table"]
    return {
        "type": chosen if chosen in types else default,
        "types": types,
        "x": {
            "name": xcol["name"],
            "label": xcol["label"],
            "labels": [_key_label(xcol, v) for v in xs],
        },
        "y": {
            "unit": units.pop() if len(units) == 1 else "number",
            "currency": columns[kept[0][0]].get("currency", "USD"),
        },
        "series": out,
        "series_total": len(series),
    }


def _key_label(column: dict[str, Any], value: Any) -> str:
    if column["kind"] == "time" and value is None:
        return "(no date)"  # rows outside every period (a NULL time), never "None"
    if column["kind"] == "time":
        return time_label(value, column.get("grain"))
    return "(none)" if value is None else str(value)


def echarts_spec(option: dict[str, Any], unit: str | None = None, currency: str = "USD") -> dict[str, Any]:
    """A chart spec from a ready ECharts option (a heatmap, a waterfall …) for ``chart_box``: value axes and
    tooltips without a formatter of their own show numbers by ``unit`` (as ``formats.format_number``).
    The option must be JSON (no functions); the vendored build's charts are listed in
    ``scripts/echarts_entry.js``.
    """
    return {"type": "custom", "types": ["custom"], "option": option, "unit": unit, "currency": currency}
