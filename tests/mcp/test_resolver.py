"""resolve_question and learning from feedback, with the real resolver of ``metricmind.resolve``."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from tests.conftest import in_ci
from tests.mcp.helpers import error, ok


@pytest.fixture(scope="module")
def resolve_module() -> Any:
    """``metricmind.resolve`` with its ``Resolver`` and ``check_word``; missing fails under CI."""
    module = importlib.import_module("metricmind.resolve")
    if not (hasattr(module, "Resolver") and hasattr(module, "check_word")):
        if in_ci():
            pytest.fail("metricmind.resolve has no Resolver / check_word")
        pytest.skip("metricmind.resolve is not built yet")
    return module


def test_resolve_question(resolve_module: Any, demo: Project) -> None:
    server = build_server(demo)
    answer = json.loads(
        ok(server, "resolve_question", {"question": "MRR by region last quarter", "as_of": "2026-07-01"})
    )
    query = answer["query"]
    assert query["metrics"] == ["mrr"]
    assert "customer__region" in query["group_by"]
    assert (query["start"], query["end"]) == ("2026-04-01", "2026-07-01")
    # The answer, whole, runs as it is.
    rows = ok(server, "query_metrics", {"query": answer})
    header = rows.splitlines()[0].split(",")
    assert "customer__region" in header and header[-1] == "mrr"
    assert answer["in_words"] == "MRR by customer region, over Q2 2026 (1 April to 30 June 2026)."
    assert "answer" not in answer  # not run unless asked
    ran = json.loads(
        ok(
            server,
            "resolve_question",
            {
                "question": "new mrr by segment last quarter vs the quarter before",
                "as_of": "2026-07-01",
                "run": True,
            },
        )
    )
    assert "compared with Q1 2026 (1 January to 31 March 2026)" in ran["answer"] and "Total" in ran["answer"]
    assert "is not a date" in error(server, "resolve_question", {"question": "MRR", "as_of": "someday"})
    assert "is not a date" in error(
        server, "resolve_question", {"question": "MRR", "as_of": "2026-07-01junk"}
    )


def test_correction_is_learned_by_the_resolver(resolve_module: Any, demo_copy: Path) -> None:
    question = {"question": "MRR by zorblat last quarter", "as_of": "2026-07-01"}
    with Project.load(demo_copy) as project:
        token = project.catalog.add_user("ana", "editor")
        other = project.catalog.add_user("bo", "approver")
        before = json.loads(ok(build_server(project, token=token), "resolve_question", question))
        assert "customer__region" not in (before.get("query") or {}).get("group_by", [])
        ok(
            build_server(project, token=token),
            "record_feedback",
            {
                "question": question["question"],
                "verdict": "incorrect",
                "query": before.get("query"),
                "correction": "by 'zorblat' I meant customer__region",
            },
        )
    with Project.load(demo_copy) as project:
        # ana's own word applies to ana at once, in a new process too …
        after = json.loads(ok(build_server(project, token=token), "resolve_question", question))
        assert "customer__region" in after["query"]["group_by"]
        # … and to nobody else until it is approved
        for server in (build_server(project), build_server(project, token=other)):
            theirs = json.loads(ok(server, "resolve_question", question))
            assert "customer__region" not in (theirs.get("query") or {}).get("group_by", [])
        word = project.vocabulary.entries()[0]
        project.approve_word(word["id"], "bo")
        shared = json.loads(ok(build_server(project), "resolve_question", question))
    assert "customer__region" in shared["query"]["group_by"]


def test_a_close_call_asks_back_with_complete_readings(resolve_module: Any, demo: Project) -> None:
    """ "retention" is net or gross revenue retention: not answerable, a question back, two readings."""
    server = build_server(demo)
    question = {"question": "retention by segment last quarter", "as_of": "2026-07-01"}
    answer = json.loads(ok(server, "resolve_question", question))
    assert answer["answerable"] is False and answer["confidence"] < 0.5
    choices = answer["clarify"]["choices"]
    assert {"net_revenue_retention", "gross_revenue_retention"} <= {c["metrics"][0] for c in choices}
    assert "did you mean" in answer["clarify"]["question"]
    # each choice is a complete reading that runs as it is
    for c in choices:
        assert c["query"]["group_by"] == ["customer__segment"]
        rows = ok(server, "query_metrics", {"query": c["query"]})
        assert rows.splitlines()[0].split(",")[-1] == c["metrics"][0]
