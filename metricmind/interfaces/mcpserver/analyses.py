"""The MCP tool ``analyze``: attribution, lifecycle, MRR movements and cohorts as compact JSON.

Pure glue over ``metricmind.analyses`` (numpy is imported when the tool runs, not when the server starts).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from metricmind.errors import MetricmindError, QueryError
from metricmind.interfaces.mcpserver import formatting as fmt
from metricmind.project import Project

DECIMALS = 4
"""Floats in the tool's answer are rounded to this many decimals (the CLI's JSON keeps full precision)."""


def compact(value: Any) -> Any:
    """``value`` with every float rounded to ``DECIMALS`` decimals."""
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, dict):
        return {k: compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [compact(v) for v in value]
    return value


def run_analysis(
    project: Project,
    lock: threading.RLock,
    analysis: str,
    *,
    start: str | None = None,
    end: str | None = None,
    models: list[str] | str | None = None,
    half_life_days: float | None = None,
    markov_order: int | None = None,
    by: str | None = None,
    data: dict[str, Any] | str | None = None,
) -> str:
    """Run one analysis on ``data`` (a file-format document) or on the project; compact JSON text.

    Raises:
        MetricmindError: Bad arguments or input (the message names the row), or a warehouse failure.
    """
    from metricmind.analyses import analyze_data
    from metricmind.analyses.extract import analyze_warehouse

    names = fmt.names(models, "models") if models else None
    document = fmt.mapping(data, "data")
    if document is not None:
        if start or end or by:
            raise QueryError(
                "start, end and by apply to the project's data, not to a data document",
                hint="Drop them, or drop data.",
            )
        result = analyze_data(
            analysis, document, models=names, half_life_days=half_life_days, markov_order=markov_order
        )
    else:
        with lock:
            result = analyze_warehouse(
                analysis,
                project.warehouse,
                project.dialect,
                start=start,
                end=end,
                models=names,
                half_life_days=half_life_days,
                markov_order=markov_order,
                by=by,
            )
    if analysis == "attribution":
        from metricmind.analyses.reading import narrate_attribution

        result["reading"] = narrate_attribution(result)
    return json.dumps(compact(result), ensure_ascii=False, separators=(",", ":"))


def answer_question(project: Project, lock: threading.RLock, request: dict[str, Any]) -> dict[str, Any]:
    """The answer to an analysis request read from a question: ``analysis_result`` (compact) and
    ``reading``, or ``analysis_error`` (``{error, message, hint}``) when it cannot be computed.
    """
    from metricmind.analyses.asked import answer_request

    try:
        with lock:
            answer = answer_request(request, project.warehouse, project.dialect)
    except MetricmindError as exc:
        return {"analysis_error": exc.to_dict()}
    return {"analysis_result": compact(answer["result"]), "reading": answer["reading"]}
