"""``metricmind learn feedback|notes|review|curve``: corrections into memory, their review, the curve.

A correction (``learn feedback QUESTION --wrong --expected QUERY``) leaves a reflexion note: memory
answers that question, and ones like it, with the corrected query — for you at once, for everyone once
an approver who is not you reviews it (``learn review ID``). Who you are: the user of
``$METRICMIND_TOKEN`` when it is set, otherwise ``--user`` (default: the OS user). See docs/learn.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from metricmind.interfaces.cli.commands_ask import _day
from metricmind.interfaces.cli.commands_learn import JsonOpt, learn_app
from metricmind.interfaces.cli.commands_vocabulary import UserOpt, whoami
from metricmind.interfaces.cli.common import ProjectOpt, dumps, fail, guarded, open_project, render_table


@guarded
def learn_feedback(
    question: Annotated[str, typer.Argument(help="The question that was answered.")],
    right: Annotated[
        bool, typer.Option("--right", help="The answer was right (it becomes a skill).")
    ] = False,
    wrong: Annotated[bool, typer.Option("--wrong", help="The answer was wrong.")] = False,
    expected: Annotated[
        str | None,
        typer.Option(
            "--expected",
            help='With --wrong: the right query as JSON, e.g. \'{"metrics": ["<metric>"], "group_by": '
            '["<entity>__<dimension>"]}\' (the "query" of ask --json, or the whole answer).',
        ),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The day the question was asked against (YYYY-MM-DD).")
    ] = None,
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Say whether the answer to a question was right; with --wrong --expected, correct it."""
    if right == wrong:
        fail(
            "say --right or --wrong",
            "e.g. metricmind learn feedback 'how is business' --wrong --expected '{...}'",
        )
    query: dict[str, Any] | None = None
    if expected is not None:
        try:
            query = json.loads(expected)
        except ValueError as exc:
            fail(f"--expected is not JSON: {exc}", 'Pass an object, e.g. \'{"metrics": ["<metric>"]}\'.')
        if not isinstance(query, dict):
            fail("--expected is not a JSON object", 'Pass an object, e.g. \'{"metrics": ["<metric>"]}\'.')
    proj = open_project(project)
    who = whoami(proj, user)
    done = proj.answer_feedback(
        question, "correct" if right else "incorrect", user=who, expected=query, as_of=_day(as_of)
    )
    if as_json:
        typer.echo(dumps(done))
        return
    typer.echo(f"recorded {done['feedback']} on episode {done['episode']} for {who}")
    if done["note"]:
        typer.echo(
            f"reflexion note #{done['note']}: applies to {who}'s questions at once, and to everyone once "
            f"an approver reviews it (metricmind learn review {done['note']})"
        )


@guarded
def learn_notes(
    limit: Annotated[int, typer.Option("--limit", help="Show at most this many, newest first.")] = 50,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List the reflexion notes (corrections): question, what was wrong, the fix, author, reviewed."""
    from metricmind.project.memory import notes

    found = notes(open_project(project).memory, limit)
    if as_json:
        typer.echo(dumps(found))
        return
    rows = [
        [n["id"], n["question"], _short(n["wrong"]), _short(n["fix"]), n["author"] or "", bool(n["reviewed"])]
        for n in found
    ]
    typer.echo(render_table(["id", "question", "wrong", "fix", "author", "reviewed"], rows, max_rows=limit))


@guarded
def learn_review(
    note_id: Annotated[
        int, typer.Argument(metavar="ID", help="The note's id (see `metricmind learn notes`).")
    ],
    user: UserOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Review a reflexion note so it applies to everyone (an approver who did not write it)."""
    proj = open_project(project)
    found = proj.review_note(note_id, whoami(proj, user))
    if as_json:
        typer.echo(dumps(found))
        return
    typer.echo(f"note #{note_id} reviewed: it now applies to everyone's questions like {found['question']!r}")


@guarded
def learn_curve(
    out: Annotated[Path, typer.Option("--out", "-o", help="The image to write: a .svg or .png file.")],
    window: Annotated[int, typer.Option("--window", help="Episodes in the moving average.")] = 50,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Draw the learning curve (reward per episode and its moving average) to an SVG or PNG file."""
    from metricmind.learn.monitor import FORMATS, write_curve

    if out.suffix.lower().lstrip(".") not in FORMATS:
        fail(f"--out {out} is neither .svg nor .png", "Name the file curve.svg or curve.png.")
    if window < 1:
        fail(f"--window {window} is too small", "Average over at least 1 episode (50 by default).")
    data = write_curve(open_project(project).memory, out, window=window)
    if as_json:
        typer.echo(dumps({"out": str(out), "episodes": data["episodes"], "window": window}))
        return
    typer.echo(f"wrote {out} ({data['episodes']} rewarded episodes, moving average over {window})")


def _short(text: Any, width: int = 60) -> str:
    value = str(text or "")
    return value if len(value) <= width else value[: width - 1] + "…"


def register(app: typer.Typer) -> None:
    """Add the memory commands to the ``learn`` group (``commands_learn`` adds the group to ``app``)."""
    for name, func in (
        ("feedback", learn_feedback),
        ("notes", learn_notes),
        ("review", learn_review),
        ("curve", learn_curve),
    ):
        learn_app.command(name)(func)
