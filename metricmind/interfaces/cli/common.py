"""Shared CLI pieces: the ``--project`` option, error reporting with exit code 2, and output formats."""

from __future__ import annotations

import csv
import functools
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer

from metricmind.errors import Level, MetricmindError, SpecError
from metricmind.project import Project, json_value
from metricmind.spec.query import MetricQuery

F = TypeVar("F", bound=Callable[..., Any])

ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        "--project",
        "-p",
        help="Project folder (default: the current folder, then the built demo).",
        show_default=False,
    ),
]
MetricsOpt = Annotated[
    list[str], typer.Option("--metrics", "-m", help="Metrics, comma-separated or repeated.")
]
GroupByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--group-by",
        "-g",
        help="Group-by names, e.g. metric_time__month,<entity>__<dimension> (see `dimensions`).",
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        "-w",
        help="Filter, e.g. \"{{ Dimension('<entity>__<dimension>') }} = '<value>'\" (repeatable).",
    ),
]
StartOpt = Annotated[str | None, typer.Option("--start", help="First day included (YYYY-MM-DD).")]
EndOpt = Annotated[
    str | None, typer.Option("--end", help="First day NOT included (YYYY-MM-DD): the range is [start, end).")
]
OrderOpt = Annotated[
    list[str] | None,
    typer.Option("--order", "-o", help="Order by a metric or group-by; prefix with - to sort descending."),
]
LimitOpt = Annotated[int | None, typer.Option("--limit", "-l", help="Return at most this many rows.")]
DialectOpt = Annotated[
    str | None,
    typer.Option(
        "--dialect", "-d", help="duckdb, postgres, snowflake, bigquery, databricks, spark or trino."
    ),
]
SavedOpt = Annotated[str | None, typer.Option("--saved-query", help="Use a saved query from the project.")]
OverlapOpt = Annotated[
    bool,
    typer.Option(
        "--overlapping-groups",
        help="Allow dimensions reached only through one-to-many joins: a row counts once in every group it "
        "belongs to, so groups may add up to more than the total (printed beside them).",
    ),
]


def fail(message: str, hint: str | None = None, code: int = 2) -> NoReturn:
    """Print an error (and a hint) to stderr and exit with ``code``."""
    sys.stderr.write(f"error: {message}\n")
    if hint:
        sys.stderr.write(f"  hint: {hint}\n")
    raise typer.Exit(code)


def guarded(func: F) -> F:
    """Turn metricmind errors into a clear message and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except SpecError as exc:
            errors = [i for i in exc.issues if i.level.value == "error"]
            sys.stderr.write(f"error: the project has {len(errors)} error(s)\n")
            for issue in errors:
                sys.stderr.write(f"  {issue}\n")
            raise typer.Exit(2) from exc
        except MetricmindError as exc:
            fail(exc.message, exc.hint)

    return wrapper  # type: ignore[return-value]


def open_project(path: Path | None) -> Project:
    """Load the project: what loads answers; errors in the YAML are summed up in one line on stderr.

    A project where nothing loads (no semantic model, and errors) fails with its root causes (exit 2
    through ``guarded``). Every query it runs is recorded as an episode of the memory (``remember``).
    """
    project = Project.load(path)
    project.remember()
    errors = [i for i in project.issues if i.level is Level.ERROR]
    if errors and not project.model.semantic_models:
        raise SpecError(project.issues)
    for issue in project.issues:  # where the warehouse comes from is worth a line even when it loads
        if issue.code == "profile" and issue.level is Level.WARNING:
            sys.stderr.write(f"{issue}\n")
    if errors:
        left_out = sorted(u.name for u in project.unavailable if u.kind == "metric")
        names = ", ".join(left_out[:5]) + (f" and {len(left_out) - 5} more" if len(left_out) > 5 else "")
        sys.stderr.write(
            f"warning: the project has {len(errors)} error(s), first {errors[0]}; "
            + (f"unavailable metrics: {names}. " if left_out else "")
            + "Run `metricmind validate` for all of them.\n"
        )
    return project


def build_query(
    project: Project,
    metrics: Sequence[str] | None,
    group_by: Sequence[str] | None,
    where: Sequence[str] | None,
    start: str | None,
    end: str | None,
    order: Sequence[str] | None,
    limit: int | None,
    saved_query: str | None,
    allow_overlap: bool = False,
) -> MetricQuery:
    """The MetricQuery described by the common options (a saved query, then overrides)."""
    if saved_query:
        base = project.saved_query(saved_query)
        return MetricQuery.build(
            list(metrics or base.metrics),
            list(group_by or base.group_by),
            list(base.where) + list(where or []),
            start,
            end,
            list(order or [str(o) for o in base.order_by]),
            limit if limit is not None else base.limit,
            allow_overlap,
        )
    if not metrics:
        fail("no metrics given", "Pass --metrics revenue (see `metricmind list metrics`).")
    return MetricQuery.build(
        list(metrics or []),
        list(group_by or []),
        list(where or []),
        start,
        end,
        list(order or []),
        limit,
        allow_overlap,
    )


def render_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], max_rows: int = 200) -> str:
    """A plain aligned text table."""
    shown = [[_cell(v) for v in row] for row in rows[:max_rows]]
    widths = [max([len(c)] + [len(r[i]) for r in shown]) for i, c in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows[:max_rows])
        for i in range(len(columns))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if numeric[i] else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(list(columns)), "  ".join("-" * w for w in widths)] + [line(r) for r in shown]
    if len(rows) > max_rows:
        out.append(f"… {len(rows) - max_rows} more rows (use --format csv or --limit)")
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _cell(value: Any) -> str:
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".") if abs(value) < 1e15 else str(value)
    return str(value)


def render_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """CSV with a header row."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else json_value(v) for v in row])
    return buf.getvalue()


def dumps(data: Any) -> str:
    """Indented JSON."""
    return json.dumps(data, indent=2, default=json_value)
