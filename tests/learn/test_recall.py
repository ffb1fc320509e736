"""Memory consulted by the resolver: 34 corrections, each answered right afterwards — the same question and
a paraphrase — for its author at once and for everyone once an approver reviewed it; via the CLI and MCP.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metricmind.errors import PermissionDenied
from metricmind.interfaces.cli.app import app
from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from tests.learn.conftest import AS_OF
from tests.learn.corrections import CORRECTIONS
from tests.mcp.helpers import error, ok

runner = CliRunner()
PARTS = ("metrics", "group_by", "where", "order_by", "limit")


def wanted(fix: dict[str, Any]) -> dict[str, Any]:
    """The parts of the corrected query an answer must have (dates come from the question)."""
    return {
        "metrics": fix["metrics"],
        "group_by": fix.get("group_by", []),
        "where": fix.get("where", []),
        "order_by": fix.get("order_by", []),
        "limit": fix.get("limit"),
    }


def parts(answer: dict[str, Any]) -> dict[str, Any] | None:
    query = answer.get("query")
    return {k: query[k] for k in PARTS} if query else None


def cli(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.output)
    return data


def ask(root: Path, question: str, user: str) -> dict[str, Any]:
    return cli("ask", question, "--as-of", AS_OF, "--json", "--user", user, "--project", str(root))


def test_corrections_through_the_cli(demo_copy: Path) -> None:
    assert len(CORRECTIONS) >= 30
    root = str(demo_copy)
    day = dt.date.fromisoformat(AS_OF)
    project = Project.load(demo_copy)
    for name, role in (("ann", "editor"), ("bo", "viewer"), ("cy", "approver"), ("di", "approver")):
        project.catalog.add_user(name, role)

    def answer(question: str, user: str) -> dict[str, Any]:  # in-process, for the checks around the CLI's
        return project.ask(question, as_of=day, user=user).resolution.to_dict()

    notes: list[int] = []
    for question, paraphrase, fix in CORRECTIONS:
        assert parts(answer(question, "ann")) != wanted(fix), f"{question!r} is already answered as corrected"
        assert parts(answer(paraphrase, "ann")) != wanted(fix), paraphrase
        done = cli(
            "learn", "feedback", question, "--wrong", "--expected", json.dumps(fix),
            "--as-of", AS_OF, "--user", "ann", "--project", root, "--json",
        )  # fmt: skip
        assert done["feedback"] == "corrected" and done["note"]
        notes.append(done["note"])
        for asked in (question, paraphrase):
            got = ask(demo_copy, asked, "ann")
            assert parts(got) == wanted(fix), asked
            assert got["answerable"] and got["memory"]["source"] == "reflexion"
            assert got["memory"]["id"] == done["note"] and not got["memory"]["reviewed"]
            assert any("Answered from memory: reflexion note" in n for n in got["notes"])
        # nobody else gets a correction nobody reviewed
        assert parts(answer(paraphrase, "bo")) != wanted(fix), paraphrase
    # the question's own dates stay: "north star this quarter" is this quarter's, read as corrected
    north = ask(demo_copy, "north star this quarter", "ann")
    assert (north["query"]["start"], north["query"]["end"]) == ("2026-04-01", "2026-07-01")
    assert parts(ask(demo_copy, "north star this quarter", "bo")) is None  # refused for bo
    # review: an approver, never the note's author (four eyes)
    viewer = runner.invoke(app, ["learn", "review", str(notes[0]), "--user", "bo", "--project", root])
    assert viewer.exit_code == 2 and "takes an approver" in viewer.output
    own = project.answer_feedback("the dial", "incorrect", user="cy", expected={"metrics": ["events"]})
    mine = runner.invoke(app, ["learn", "review", str(own["note"]), "--user", "cy", "--project", root])
    assert mine.exit_code == 2 and "cannot review it" in mine.output
    for note in notes[:3]:
        assert cli("learn", "review", str(note), "--user", "cy", "--project", root, "--json")["reviewed"]
    for note in notes[3:]:
        project.review_note(note, "di")
    for question, paraphrase, fix in CORRECTIONS:
        for asked in (question, paraphrase):
            got = answer(asked, "bo")
            assert parts(got) == wanted(fix), asked
            assert got["memory"]["reviewed"] is True
    got = ask(demo_copy, CORRECTIONS[0][1], "bo")  # and through the CLI
    assert parts(got) == wanted(CORRECTIONS[0][2]) and got["memory"]["reviewed"] is True
    listed = cli("learn", "notes", "--project", root, "--json")
    assert len(listed) == len(CORRECTIONS) + 1 and sum(n["author"] == "ann" for n in listed) == len(
        CORRECTIONS
    )
    project.close()


def test_corrections_through_mcp(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        ann = build_server(project, token=str(project.catalog.add_user("ann", "editor")))
        bo = build_server(project, token=str(project.catalog.add_user("bo", "editor")))
        project.catalog.add_user("cy", "approver")

        def resolve(server: Any, question: str) -> dict[str, Any]:
            data: dict[str, Any] = json.loads(
                ok(server, "resolve_question", {"question": question, "as_of": AS_OF})
            )
            return data

        notes = []
        for question, paraphrase, fix in CORRECTIONS:
            assert parts(resolve(ann, question)) != wanted(fix)
            out = ok(ann, "record_feedback", {"question": question, "verdict": "incorrect", "expected": fix})
            assert "reflexion note #" in out and "applies to everyone once an approver reviews it" in out
            notes.append(int(out.split("reflexion note #")[1].split()[0]))
            for asked in (question, paraphrase):
                answer = resolve(ann, asked)
                assert parts(answer) == wanted(fix) and answer["memory"]["source"] == "reflexion", asked
            assert parts(resolve(bo, paraphrase)) != wanted(fix), paraphrase
        for note in notes:
            project.review_note(note, "cy")
        for question, paraphrase, fix in CORRECTIONS:
            for asked in (question, paraphrase):
                assert parts(resolve(bo, asked)) == wanted(fix), asked
        bad = error(
            ann,
            "record_feedback",
            {"question": "how is business", "verdict": "incorrect", "expected": {"metrics": ["mmr"]}},
        )
        assert "mmr" in bad and "mrr" in bad  # an unknown metric is refused with a suggestion
        # every question asked is an episode, with who asked it and where the answer came from
        episodes = project.memory.episodes(limit=100_000)
    asked_by = {e["user_name"] for e in episodes}
    assert {"ann", "bo"} <= asked_by
    assert any((e["action"] or {}).get("answer") == "reflexion" for e in episodes)


def test_memory_never_widens_a_question(demo_copy: Path) -> None:
    """A remembered reading never answers a question with a catalog word the corrected one lacked."""
    day = dt.date.fromisoformat(AS_OF)
    with Project.load(demo_copy) as project:
        project.catalog.add_user("ann", "editor")
        project.catalog.add_user("vi", "viewer")
        with pytest.raises(PermissionDenied, match="takes an editor"):  # a viewer's correction is not kept
            project.answer_feedback("how is business", "incorrect", user="vi", expected={"metrics": ["arr"]})
        project.answer_feedback(
            "how is business", "incorrect", user="ann", expected={"metrics": ["invoice_revenue"]}, as_of=day
        )
        assert project.ask("how is business going", as_of=day, user="ann").resolution.metrics == [
            "invoice_revenue"
        ]
        emea = project.ask("how is business in EMEA", as_of=day, user="ann").resolution
        assert not emea.answerable and "memory" not in emea.to_dict()
        # a note corrects the reading it was written against, not another reading of a similar question
        project.answer_feedback(
            "revenue last month", "incorrect", user="ann", expected={"metrics": ["billed_amount"]}, as_of=day
        )
        other = project.ask("revenue by segment last month", as_of=day, user="ann").resolution
        assert other.metrics == ["invoice_revenue"] and "memory" not in other.to_dict()
