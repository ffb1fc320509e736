"""The training monitor in the Explorer: ``/learn`` (the learning curve and the arms), ``/api/learn``
(the same as JSON) and the curve as an image (``/learn/curve.svg``, ``/learn/curve.png``).

The figures are ``Project.learning_status`` (the sections of ``metricmind learn status``) and
``metricmind.learn.monitor.curve``; the simulator's section (about a second) only with ``?simulate=1``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from metricmind.interfaces.web.charts import echarts_spec
from metricmind.interfaces.web.core import NotFound, render, state, to_json

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api", tags=["learn"])

TABLES = ("arms", "episode_arms")
"""Sections drawn as arm tables; other list sections are shown as JSON, dict sections as key/values."""
MEDIA = {"svg": "image/svg+xml", "png": "image/png"}


def monitor(request: Request, *, simulate: bool, window: int) -> dict[str, Any]:
    """The page's data: ``status`` (every section), ``curve`` and its chart."""
    from metricmind.learn.monitor import curve

    project = state(request).project
    status = project.learning_status(simulate=simulate)
    data = curve(project.memory, window=window)
    return {"status": status, "curve": data, "chart": chart(data), "simulate": simulate, "window": window}


def chart(data: dict[str, Any]) -> dict[str, Any]:
    """The learning curve as an ECharts line chart: reward per episode and the moving average."""
    option = {
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0, "data": ["reward per episode", f"moving average ({data['window']})"]},
        "grid": {"left": 48, "right": 16, "top": 36, "bottom": 40},
        "xAxis": {"type": "value", "name": "episode", "nameLocation": "middle", "nameGap": 26, "min": 1},
        "yAxis": {"type": "value", "name": "reward"},
        "series": [
            {
                "name": "reward per episode",
                "type": "line",
                "showSymbol": False,
                "lineStyle": {"width": 1, "opacity": 0.5},
                "data": [[e, r] for e, r in zip(data["episode"], data["reward"], strict=True)],
            },
            {
                "name": f"moving average ({data['window']})",
                "type": "line",
                "showSymbol": False,
                "lineStyle": {"width": 2.5},
                "data": [[e, r] for e, r in zip(data["episode"], data["moving_average"], strict=True)],
            },
        ],
    }
    return echarts_spec(option)


@router.get("/learn")
def learn_page(
    request: Request,
    simulate: bool = Query(False, description="Also run the simulator (about a second) for its regret."),
    window: int = Query(50, ge=1, le=10_000, description="Episodes in the moving average."),
) -> Response:
    """The learning curve (reward per episode, moving average), the arms, and every status section."""
    ctx = monitor(request, simulate=simulate, window=window)
    status = ctx["status"]
    ctx["figures"] = {k: v for k, v in status.items() if not isinstance(v, dict | list)}
    ctx["tables"] = {k: status[k] for k in TABLES if status.get(k)}
    ctx["sections"] = {k: v for k, v in status.items() if isinstance(v, dict) and v}
    ctx["lists"] = {k: v for k, v in status.items() if isinstance(v, list) and v and k not in TABLES}
    return render(request, "learn.html", ctx)


@api_router.get("/learn")
def learn_api(
    request: Request,
    simulate: bool = Query(False, description="Also run the simulator (about a second) for its regret."),
    window: int = Query(50, ge=1, le=10_000, description="Episodes in the moving average."),
) -> Any:
    """The monitor as JSON: ``status`` (the ``metricmind learn status --json`` sections) and ``curve``
    (``episodes``, ``window``, ``episode``, ``reward``, ``moving_average``).
    """
    ctx = monitor(request, simulate=simulate, window=window)
    return to_json({"status": ctx["status"], "curve": ctx["curve"]})


@router.get("/learn/curve.{fmt}")
def learn_curve(
    request: Request, fmt: str, window: int = Query(50, ge=1, le=10_000, description="Moving average.")
) -> Response:
    """Download the learning curve as an SVG or PNG image (``metricmind learn curve``)."""
    from metricmind.learn.monitor import curve, render_curve

    if fmt not in MEDIA:
        raise NotFound(f"no curve as {fmt!r}", hint="Download /learn/curve.svg or /learn/curve.png.")
    project = state(request).project
    image = render_curve(curve(project.memory, window=window), fmt)
    headers = {"Content-Disposition": f'attachment; filename="learning-curve.{fmt}"'}
    return Response(image, media_type=MEDIA[fmt], headers=headers)
