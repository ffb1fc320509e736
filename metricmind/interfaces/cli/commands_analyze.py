"""``metricmind analyze attribution|lifecycle|mrr-movements|cohorts``: advanced analytics, from a file or a project.

With ``--input FILE.json`` the analysis runs on the file (formats in ``docs/analyses.md``); without it, on the
project's canonical datasets read through its warehouse. numpy is imported inside the command bodies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.common import (
    EndOpt,
    ProjectOpt,
    StartOpt,
    fail,
    guarded,
    open_project,
    render_table,
)

analyze_app = typer.Typer(
    help="Attribution, lifecycle, MRR movements and cohorts, on a JSON file or the project's canonical data.",
    no_args_is_help=True,
)

InputOpt = Annotated[
    Path | None,
    typer.Option("--input", "-i", help="A JSON input file (see docs/analyses.md); '-' reads stdin."),
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table (default) or json.")]
ModelsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--models",
        help="Attribution models, comma-separated or repeated: first_touch, last_touch, linear, "
        "position_based, time_decay, shapley, markov, shapley_ordered (default: the first seven).",
    ),
]
HalfLifeOpt = Annotated[
    float | None, typer.Option("--half-life", help="Time-decay half-life in days (default 7).")
]
OrderOpt = Annotated[
    int | None, typer.Option("--markov-order", help="Order of the Markov chain (default 1).")
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", help="Project mode: also split attribution by 'month' or 'quarter' of conversion."),
]


def _read(path: Path) -> object:
    """The parsed JSON of ``path`` (exit 2 with a clear message when missing, empty or not JSON)."""
    import sys

    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"cannot read {str(path)!r}: {exc.strerror}", "Check the --input path.")
    if not text.strip():
        fail(
            f"the input file {str(path)!r} is empty", "Write a JSON object; see docs/analyses.md for formats."
        )
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(
            f"{str(path)!r} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
            "Fix the JSON (a trailing comma? single quotes?).",
        )


def _models(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [m.strip() for v in values for m in v.split(",") if m.strip()]


def _emit(analysis: str, result: dict[str, Any], fmt: str) -> None:
    from metricmind.analyses.tables import result_tables

    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, allow_nan=False))
        return
    blocks = []
    for title, columns, rows in result_tables(analysis, result):
        blocks.append(f"{title}\n{render_table(columns, rows, max_rows=1000)}")
    if analysis == "attribution":
        from metricmind.analyses.reading import narrate_attribution

        blocks.append(f"Reading\n{narrate_attribution(result)}")
    typer.echo("\n\n".join(blocks))


def _run(
    analysis: str,
    input_file: Path | None,
    fmt: str,
    project: Path | None,
    start: str | None,
    end: str | None,
    *,
    models: list[str] | None = None,
    half_life: float | None = None,
    markov_order: int | None = None,
    by: str | None = None,
) -> None:
    if fmt not in ("table", "json"):
        fail(f"--format {fmt!r} is not a format", "Use --format table or --format json.")
    from metricmind.analyses import analyze_data
    from metricmind.analyses.extract import analyze_warehouse

    if input_file is not None:
        if start or end or by:
            fail("--start, --end and --by apply to project mode", "Drop them, or drop --input.")
        data = _read(input_file)
        result = analyze_data(
            analysis, data, models=_models(models), half_life_days=half_life, markov_order=markov_order
        )
    else:
        with open_project(project) as opened:
            result = analyze_warehouse(
                analysis,
                opened.warehouse,
                opened.dialect,
                start=start,
                end=end,
                models=_models(models),
                half_life_days=half_life,
                markov_order=markov_order,
                by=by,
            )
    _emit(analysis, result, fmt)


@analyze_app.command("attribution")
@guarded
def attribution(
    input_file: InputOpt = None,
    fmt: FormatOpt = "table",
    models: ModelsOpt = None,
    half_life: HalfLifeOpt = None,
    markov_order: OrderOpt = None,
    project: ProjectOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
    by: ByOpt = None,
) -> None:
    """Credit conversions and revenue to channels under up to eight attribution models, side by side."""
    _run(
        "attribution",
        input_file,
        fmt,
        project,
        start,
        end,
        models=models,
        half_life=half_life,
        markov_order=markov_order,
        by=by,
    )


@analyze_app.command("lifecycle")
@guarded
def lifecycle(
    input_file: InputOpt = None,
    fmt: FormatOpt = "table",
    project: ProjectOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
) -> None:
    """Monthly growth accounting of active users: new, retained, resurrected, churned, dormant, quick ratio."""
    _run("lifecycle", input_file, fmt, project, start, end)


@analyze_app.command("mrr-movements")
@guarded
def mrr_movements(
    input_file: InputOpt = None,
    fmt: FormatOpt = "table",
    project: ProjectOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
) -> None:
    """Monthly MRR movements (new, reactivation, expansion, contraction, churned), and NRR / GRR windows."""
    _run("mrr-movements", input_file, fmt, project, start, end)


@analyze_app.command("cohorts")
@guarded
def cohorts(
    input_file: InputOpt = None,
    fmt: FormatOpt = "table",
    project: ProjectOpt = None,
    start: StartOpt = None,
    end: EndOpt = None,
) -> None:
    """Cohort retention triangles: active customers, logo retention, MRR and revenue retention by month."""
    _run("cohorts", input_file, fmt, project, start, end)


def register(app: typer.Typer) -> None:
    """Add the ``analyze`` group to ``app``."""
    app.add_typer(analyze_app, name="analyze")
