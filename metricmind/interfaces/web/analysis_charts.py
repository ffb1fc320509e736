"""The analysis pages' charts as ECharts options (``charts.echarts_spec``), drawn by ``static/chart.js``.

Attribution: grouped bars, one bar per model for each channel. MRR movements: stacked bars per month (gains
up, losses down) with the net new MRR as a line. Lifecycle: stacked bars (new, retained, resurrected up,
churned down) with the quick ratio as a line on a second axis. Cohorts: two heatmap triangles (logo and
revenue retention, months since signup across, cohorts down). Only JSON (no functions) goes in an option.
"""

from __future__ import annotations

from typing import Any

from metricmind.analyses.reading import LABELS
from metricmind.interfaces.web.charts import PALETTE, echarts_spec

GAIN = "#16a34a"
LOSS = "#dc2626"


def _legend() -> dict[str, Any]:
    return {"type": "scroll", "top": 0}


def _grid(right: int = 24) -> dict[str, Any]:
    return {"left": 12, "right": right, "top": 40, "bottom": 30, "containLabel": True}


def attribution_chart(result: dict[str, Any], measure: str) -> dict[str, Any]:
    """Grouped bars: channels across, one series per model (credit in ``measure``)."""
    channels = list(result["channels"])
    series = [
        {
            "name": LABELS.get(model, model),
            "type": "bar",
            "data": [round(float(credits[measure][c]), 4) for c in channels],
            "emphasis": {"focus": "series"},
        }
        for model, credits in result["models"].items()
    ]
    option = {
        "color": list(PALETTE),
        "legend": _legend(),
        "grid": _grid(),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "xAxis": {"type": "category", "data": channels, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value", "name": measure},
        "series": series,
    }
    return echarts_spec(option, "currency" if measure == "revenue" else "number")


def mrr_chart(result: dict[str, Any]) -> dict[str, Any]:
    """Stacked bars per month: new, reactivation, expansion up; contraction, churned down; net new line."""
    months = list(result["per_month"])
    rows = list(result["per_month"].values())
    parts = [
        ("new", "New", 1, "#2563eb"),
        ("reactivation", "Reactivation", 1, "#0891b2"),
        ("expansion", "Expansion", 1, GAIN),
        ("contraction", "Contraction", -1, "#ea580c"),
        ("churned", "Churned", -1, LOSS),
    ]
    series: list[dict[str, Any]] = [
        {
            "name": label,
            "type": "bar",
            "stack": "mrr",
            "color": color,
            "data": [round(sign * float(r[key]), 2) for r in rows],
            "emphasis": {"focus": "series"},
        }
        for key, label, sign, color in parts
    ]
    series.append(
        {
            "name": "Net new MRR",
            "type": "line",
            "color": "#111827",
            "data": [round(float(r["net_new_mrr"]), 2) for r in rows],
            "showSymbol": len(rows) <= 40,
        }
    )
    option = {
        "legend": _legend(),
        "grid": _grid(),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "xAxis": {"type": "category", "data": months, "axisLabel": {"hideOverlap": True}},
        "yAxis": {"type": "value"},
        "series": series,
    }
    return echarts_spec(option, "currency")


def lifecycle_chart(result: dict[str, Any]) -> dict[str, Any]:
    """Stacked bars of users per month (churned below zero) and the quick ratio on the right axis."""
    months = list(result["per_month"])
    rows = list(result["per_month"].values())
    parts = [
        ("new", "New", 1, "#2563eb"),
        ("retained", "Retained", 1, "#94a3b8"),
        ("resurrected", "Resurrected", 1, GAIN),
        ("churned", "Churned", -1, LOSS),
    ]
    series: list[dict[str, Any]] = [
        {
            "name": label,
            "type": "bar",
            "stack": "users",
            "color": color,
            "data": [sign * int(r[key]) for r in rows],
            "emphasis": {"focus": "series"},
        }
        for key, label, sign, color in parts
    ]
    series.append(
        {
            "name": "Quick ratio",
            "type": "line",
            "yAxisIndex": 1,
            "color": "#7c3aed",
            "data": [None if r["quick_ratio"] is None else round(float(r["quick_ratio"]), 3) for r in rows],
            "connectNulls": False,
            "showSymbol": len(rows) <= 40,
        }
    )
    option = {
        "legend": _legend(),
        "grid": _grid(40),
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}, "confine": True},
        "xAxis": {"type": "category", "data": months, "axisLabel": {"hideOverlap": True}},
        "yAxis": [
            {"type": "value", "name": "users"},
            {"type": "value", "name": "quick ratio", "splitLine": {"show": False}, "axisLabel": {}},
        ],
        "series": series,
    }
    return echarts_spec(option, "count")


def cohort_chart(result: dict[str, Any], key: str, title: str) -> dict[str, Any]:
    """A heatmap triangle: months since signup across, cohorts down, ``key`` (a retention, in percent) as
    colour.
    """
    cohorts = result["cohorts"]
    names = list(cohorts)
    width = max((len(c["cells"]) for c in cohorts.values()), default=0)
    data = []
    top = 1.0
    for y, name in enumerate(names):
        for cell in cohorts[name]["cells"]:
            value = cell[key]
            if value is None:
                continue
            top = max(top, float(value))
            # in percent (chart.js: unit "percent" is already x100), so cell labels read 98, not 0.9756
            data.append([cell["months_since_signup"], y, round(float(value) * 100, 1)])
    option = {
        "title": {"text": title, "left": 0, "textStyle": {"fontSize": 13}},
        "grid": {"left": 12, "right": 24, "top": 36, "bottom": 70, "containLabel": True},
        "tooltip": {"position": "top", "confine": True},
        "xAxis": {
            "type": "category",
            "data": [f"m{k}" for k in range(width)],
            "name": "months since signup",
            "nameLocation": "middle",
            "nameGap": 24,
            "splitArea": {"show": True},
        },
        "yAxis": {"type": "category", "data": names, "inverse": True, "splitArea": {"show": True}},
        "visualMap": {
            "min": 0,
            "max": round(top * 100, 1),
            "calculable": True,
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
            "inRange": {"color": ["#fef2f2", "#fde68a", "#16a34a"]},
        },
        "series": [
            {
                "name": title,
                "type": "heatmap",
                "data": data,
                "label": {"show": len(data) <= 200, "fontSize": 9},
                "emphasis": {"itemStyle": {"borderColor": "#111827", "borderWidth": 1}},
            }
        ],
    }
    return echarts_spec(option, "percent")


def charts(analysis: str, result: dict[str, Any], measure: str = "revenue") -> list[dict[str, Any]]:
    """The page's chart specs (one, or two for cohorts)."""
    if analysis == "attribution":
        return [attribution_chart(result, measure)]
    if analysis == "mrr-movements":
        return [mrr_chart(result)]
    if analysis == "lifecycle":
        return [lifecycle_chart(result)]
    return [
        cohort_chart(result, "logo_retention", "Logo retention"),
        cohort_chart(result, "revenue_retention", "Revenue retention"),
    ]
