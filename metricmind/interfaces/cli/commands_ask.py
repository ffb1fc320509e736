"""``metricmind ask``: a business question → the metric query it means (and, with --run, the answer)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project, render_table


@guarded
def ask(
    question: Annotated[
        str, typer.Argument(help='The question, e.g. "<metric label> by <dimension> last quarter".')
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Resolve relative dates against this day (YYYY-MM-DD; default today)."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the resolution as JSON.")] = False,
    run: Annotated[bool, typer.Option("--run", help="Run the query and print the answer.")] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Run it and answer like an analyst: the reading in words, how each word was read, the "
            "figures with totals, the change, the dates spelled out and the assumptions made.",
        ),
    ] = False,
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", help="Also apply this user's own learned words (not yet shared)."),
    ] = None,
    project: ProjectOpt = None,
) -> None:
    """Resolve a question to a metric query offline (no LLM); --run executes it.

    Memory answers first: a correction of a similar question (yours, or reviewed) or a confirmed answer
    (the answer says so). The question is recorded as an episode (``metricmind learn status``).
    """
    day = _day(as_of)
    run = run or explain
    proj = open_project(project)
    resolver = proj.resolver(user)
    asked = proj.ask(question, as_of=day, user=user, source="cli", resolver=resolver, record=not run)
    res = asked.resolution
    data = res.to_dict()
    warnings = proj.deprecation_warnings(data.get("metrics") or [])
    if warnings:
        data["warnings"] = warnings
        for warning in warnings:
            typer.echo(f"warning: {warning}", err=True)
    if res.analysis is not None and res.answerable:
        if run:
            proj.record_ask(asked)
        _analysis(proj, res.analysis, data, run=run, json_out=json_out)
        return
    if not run or not res.answerable:
        if run:
            proj.record_ask(asked)
        typer.echo(dumps(data) if json_out else _explain(data))
        return
    from metricmind.resolve.narrate import Rows, follow_ups, narrate

    main_q = res.metric_query()
    assert main_q is not None
    with proj.capturing() as runs:
        try:
            result = proj.run(main_q, source="cli")
            previous = None
            comp_q = res.metric_query(comparison=True)
            if comp_q is not None:
                previous = proj.run(comp_q, source="cli")
        finally:
            proj.record_ask(asked, runs)
    if json_out:
        data["result"] = result.to_dict()
        data["comparison_result"] = previous.to_dict() if previous is not None else None
        typer.echo(dumps(data))
        return
    dims = follow_up_dims(proj, resolver, list(res.metrics))
    time_words = " ".join(s["text"] for s in data["spans"].get("time_range", []))
    answer = narrate(
        res,
        proj.model,
        Rows(result.columns, result.rows),
        Rows(previous.columns, previous.rows) if previous is not None else None,
        follow_ups(res, proj.model, dims, time_words),
    )
    if explain:
        answer += "\n\nHow each word was read:\n" + "\n".join(_word_lines(data))
    typer.echo(answer)


def follow_up_dims(proj: Any, resolver: Any, metrics: list[str]) -> list[str]:
    """The project's own breakdowns to suggest after an answer (few-valued categories every metric reaches),
    the ones the query log uses most with these metrics first.
    """
    from metricmind.project.suggest import follow_up_dimensions, query_log_usage
    from metricmind.storage import default_url

    if not metrics:
        return []
    return follow_up_dimensions(
        proj.dimensions(metrics[0]),
        proj.dimension_values(),
        lambda d: all(resolver.reachable(m, d) for m in metrics),
        usage=query_log_usage(str(proj.setting("store.url") or default_url(proj.root)), metrics),
    )


def _analysis(proj: Any, request: dict[str, Any], data: dict[str, Any], *, run: bool, json_out: bool) -> None:
    """An attribution question: the request (and the command that runs it), or with --run its answer."""
    from metricmind.analyses.asked import answer_request, command_of, side_by_side

    if not run:
        if json_out:
            typer.echo(dumps(data))
            return
        models = ", ".join(request["models"])
        dates = (
            f"{request['start']} to {request['end']} (end excluded)" if request.get("start") else "all dates"
        )
        typer.echo(
            f"Read as an attribution analysis (confidence {data['confidence']:.2f}, as of {data['as_of']}):\n"
            f"  models: {models}\n  dates: {dates}\n  measure: {request['measure']}\n\n"
            f"Run it:\n  {command_of(request)}\n  (or add --run)"
        )
        return
    answer = answer_request(request, proj.warehouse, proj.dialect)
    if json_out:
        data["analysis_result"] = answer["result"]
        data["reading"] = answer["reading"]
        typer.echo(dumps(data))
        return
    result, measure = answer["result"], answer["measure"]
    columns, rows = side_by_side(result, measure)
    total = result["total_revenue"] if measure == "revenue" else result["total_conversions"]
    typer.echo(
        f"Attributed {measure} by channel (total {total:,.2f} from {result['total_conversions']} conversions)\n"
        f"{render_table(columns, rows, max_rows=1000)}\n\n{answer['reading']}"
    )


def _day(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        fail(f"--as-of {text!r} is not a date", hint="Write it as YYYY-MM-DD, e.g. --as-of 2026-06-30.")


def _explain(data: dict[str, Any]) -> str:
    """The resolution for people: what each part was read from, and the query to run."""
    if not data["answerable"]:
        lines = [f"Cannot answer: {data['reason']}"]
        if data.get("nearest"):
            lines.append("Nearest: " + ", ".join(n["name"] for n in data["nearest"]))
        return "\n".join(lines)
    lines = _word_lines(data)
    q = data["query"]
    cmd = ["metricmind query", "--metrics", ",".join(q["metrics"])]
    if q["group_by"]:
        cmd += ["--group-by", ",".join(q["group_by"])]
    for w in q["where"]:
        cmd += ["--where", '"' + w.replace('"', '\\"') + '"']
    if q["start"]:
        cmd += ["--start", q["start"], "--end", q["end"]]
    for o in q["order_by"]:
        cmd += ["--order", o]
    if q["limit"] is not None:
        cmd += ["--limit", str(q["limit"])]
    head = f"Read as (confidence {data['confidence']:.2f}, as of {data['as_of']}):"
    if data.get("in_words"):
        head = f"Reading: {data['in_words']}\n{head}"
    tail = ["", "Run it:", "  " + " ".join(cmd)]
    if data.get("comparison"):
        tail.append(f"Compared with: {data['comparison'].replace('_', ' ')} (use --run to see the change)")
    for note in data.get("assumptions") or data.get("notes", []):
        tail.append(f"Assumed: {note}")
    return "\n".join([head, *lines, *tail])


def _word_lines(data: dict[str, Any]) -> list[str]:
    """Each part of the answer with the words it was read from."""
    lines = []
    for part, spans in data["spans"].items():
        for s in spans:
            how = f" ({s['how']})" if s.get("how") else ""
            lines.append(f"  {s['text']!r:<28} → {part}: {s['target']}{how}")
    return lines


def register(app: typer.Typer) -> None:
    """Add the command to ``app``."""
    app.command()(ask)
