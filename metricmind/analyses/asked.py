"""Answering an analysis request read from a question (``Resolution.analysis``, see ``resolve.analysisrequest``).

``metricmind ask --run``, the web Ask box and MCP ``resolve_question`` share this: run the attribution on the
project's canonical tables for the request's dates and models, and read it (``reading.narrate_attribution``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from metricmind.analyses.attribution import MODELS
from metricmind.analyses.extract import analyze_warehouse
from metricmind.analyses.periods import AnalysisInputError
from metricmind.analyses.reading import narrate_attribution
from metricmind.warehouse.base import Warehouse


def answer_request(request: Mapping[str, Any], warehouse: Warehouse, dialect: str) -> dict[str, Any]:
    """``{"result", "reading", "measure", "command"}`` for an analysis request.

    Raises:
        AnalysisInputError: Not an attribution request, or no journey ends in its dates.
        WarehouseError: A canonical table is missing or the query failed.
    """
    kind = request.get("kind")
    if kind != "attribution":
        raise AnalysisInputError(
            f"the analysis {kind!r} cannot be answered from a question",
            hint="Run it with `metricmind analyze`.",
        )
    result = analyze_warehouse(
        "attribution",
        warehouse,
        dialect,
        start=request.get("start"),
        end=request.get("end"),
        models=list(request.get("models") or []) or None,
    )
    measure = str(request.get("measure") or "revenue")
    if measure == "revenue" and not result["total_revenue"]:
        measure = "conversions"
    return {
        "result": result,
        "reading": narrate_attribution(result, measure),
        "measure": measure,
        "command": command_of(request),
    }


def command_of(request: Mapping[str, Any]) -> str:
    """The ``metricmind analyze`` command line that computes the request."""
    parts = ["metricmind analyze", str(request.get("kind") or "attribution")]
    if request.get("start"):
        parts += ["--start", str(request["start"])]
    if request.get("end"):
        parts += ["--end", str(request["end"])]
    if request.get("models") and list(request["models"]) != list(MODELS):
        parts += ["--models", ",".join(request["models"])]
    return " ".join(parts)


def side_by_side(result: dict[str, Any], measure: str) -> tuple[list[str], list[list[Any]]]:
    """The models side by side: one row per channel (its credit under each model), then the total."""
    models = list(result["models"])
    rows: list[list[Any]] = [
        [channel, *(result["models"][m][measure][channel] for m in models)] for channel in result["channels"]
    ]
    rows.append(["(total)", *(sum(result["models"][m][measure].values()) for m in models)])
    return ["channel", *models], rows
