"""Run every governance check over a project and collect one ``Report``.

    report = validate(model, root, settings, run=sql_runner, dialect=dialect, tables=table_names)
    report.ok, report.to_dict()

``run`` executes one SQL statement on the warehouse and returns its rows (the project facade passes its
read-only warehouse); without it only the checks that need no warehouse run (lineage, metadata).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from metricmind.compiler.dialects import Dialect
from metricmind.errors import MetricmindError
from metricmind.govern import checks, lineage
from metricmind.govern.findings import Finding, Report
from metricmind.govern.settings import resolve
from metricmind.spec.model import Model

ORDER = {"error": 0, "warning": 1, "info": 2}


def validate(
    model: Model,
    root: Path,
    settings: dict[str, Any] | None = None,
    *,
    run: Callable[[str], Sequence[Sequence[Any]]] | None = None,
    dialect: Dialect | None = None,
    tables: set[str] | None = None,
    as_of: dt.datetime | None = None,
    dbt: lineage.Project | None = None,
) -> Report:
    """Every governance finding of the project at ``root`` (``model`` is its loaded model).

    Args:
        model: The project's model.
        root: The project folder (dbt model files, sources).
        settings: The project's settings (``govern.*``).
        run: Runs one SQL statement on the warehouse, returning its rows; None skips the warehouse checks.
        dialect: The dialect of the SQL ``run`` gets (needed with ``run``).
        tables: Qualified, lower-case table names in the warehouse (missing datasets are reported).
        as_of: The time freshness is measured at (default: ``govern.as_of``, else now in UTC).
        dbt: The project's dbt model files, already read (two reports compared share one).
    """
    report = Report(checks=["lineage", "metadata"])
    dbt = dbt or lineage.Project.read(root)
    rules = lineage.rules_of(
        model,
        _names(resolve("govern.trusted_sources", settings)),
        tuple(_names(resolve("govern.staging", settings))),
    )
    found: list[Finding] = lineage.check(model, dbt, rules)
    found += checks.metadata(model)
    if run is not None and dialect is not None:
        when = as_of or resolve_as_of(resolve("govern.as_of", settings), run)
        report.as_of = when.isoformat(sep="T")
        report.checks += ["grain", "joins", "freshness"]
        missing, names = checks.present(model, tables)
        found += missing
        found += checks.grain(model, run, dialect, names)
        found += checks.joins(model, run, dialect, tables)
        found += checks.freshness(model, run, dialect, names, when)
    found.sort(
        key=lambda f: (ORDER[f.level.value], f.code, f.dataset or "", f.semantic_model or "", f.file or "")
    )
    report.findings = found
    return report


def resolve_as_of(value: Any, run: Callable[[str], Sequence[Sequence[Any]]] | None) -> dt.datetime:
    """The as-of time: ``None`` → now (UTC); an ISO date or timestamp; or a ``SELECT`` run on the warehouse.

    Raises:
        MetricmindError: The text is neither, or the query returns no time.
    """
    if value is None or value == "" or str(value).strip().lower() == "now":
        return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else _utc(value)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if text.lower().startswith(("select", "with")):
        if run is None:
            raise MetricmindError(
                f"govern.as_of is a query ({text[:60]}…) but there is no warehouse to run it on",
                hint="Give --as-of YYYY-MM-DD, or run with the warehouse.",
            )
        rows = run(text)
        got = rows[0][0] if rows and rows[0] else None
        if got is None or not isinstance(got, dt.date):
            raise MetricmindError(
                f"govern.as_of query returned {got!r}, not a date or timestamp",
                hint="Make it return one date or timestamp, e.g. `select max(loaded_at) from audit.loads`.",
            )
        return resolve_as_of(got, None)
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise MetricmindError(
            f"as-of {text!r} is not a date, a timestamp or a SELECT",
            hint="Write it as YYYY-MM-DD or YYYY-MM-DDTHH:MM (UTC), or `now`.",
        ) from exc
    return _utc(parsed) if parsed.tzinfo else parsed


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    return [str(v) for v in value]
