"""record_feedback: the append-only JSONL store, corrections that teach the resolver, error paths."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from metricmind.resolve.feedback import Feedback, FeedbackStore, parse_correction
from tests.mcp.helpers import error, ok

QUERY = {"metrics": ["mrr"], "group_by": ["customer__segment"]}


def feedback_file(root: Path) -> Path:
    return root / "metricmind" / "feedback.jsonl"


def token(project: Project, name: str, role: str = "editor") -> str:
    """A new catalog user's token (the only way an MCP server writes)."""
    return str(project.catalog.add_user(name, role))


def test_correct_verdict_is_appended(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        server = build_server(project, token=token(project, "ana"))
        out = ok(
            server, "record_feedback", {"question": "MRR by segment", "verdict": "correct", "query": QUERY}
        )
        ok(
            server,
            "record_feedback",
            {"question": "MRR by segment?", "verdict": "Correct", "query": json.dumps(QUERY), "user": "ana"},
        )
    assert out.startswith("recorded feedback ") and str(feedback_file(demo_copy)) in out
    lines = feedback_file(demo_copy).read_text().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["question"] == "MRR by segment" and first["verdict"] == "correct"
    assert first["query"] == QUERY and first["user"] == "ana" and first["learned"] == []
    assert first["time"].endswith("+00:00") and len(first["id"]) == 12
    assert second["query"] == QUERY and second["user"] == "ana" and second["verdict"] == "correct"


def test_correction_teaches_the_token_user_a_word(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        server = build_server(project, token=token(project, "ana"))
        out = ok(
            server,
            "record_feedback",
            {
                "question": "MRR by area last quarter",
                "verdict": "incorrect",
                "query": QUERY,
                "correction": "by 'area' I meant customer__region",
            },
        )
        ok(
            server,
            "record_feedback",
            {
                "question": "paying accounts",
                "verdict": "incorrect",
                "phrase": "Paying  Accounts",
                "target": "active_customers",
            },
        )
        words = project.vocabulary.entries()
    assert "learned for ana at once: 'area' → customer__region (dimension)" in out
    assert "metricmind vocabulary approve" in out
    assert sorted((w["phrase"], w["kind"], w["target"], w["author"], w["state"]) for w in words) == [
        ("area", "dimension", "customer__region", "ana", "in_review"),
        ("paying accounts", "metric", "active_customers", "ana", "in_review"),
    ]
    stored = FeedbackStore.of(demo_copy).entries()
    assert stored[0]["learned"][0]["phrase"] == "area" and stored[0]["user"] == "ana"
    assert stored[0]["correction"] == "by 'area' I meant customer__region"
    assert not (demo_copy / "metricmind" / "vocabulary.yml").exists()  # shared only after review


def test_unparsed_or_unknown_corrections_are_kept_but_not_learned(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        server = build_server(project, token=token(project, "ana"))
        ok(
            server,
            "record_feedback",
            {"question": "q", "verdict": "incorrect", "correction": "numbers look off"},
        )
        out = ok(
            server,
            "record_feedback",
            {"question": "q", "verdict": "incorrect", "correction": "by 'area' I meant customer__regoin"},
        )
        # A correct answer teaches nothing, even with a correction-like text.
        ok(
            server,
            "record_feedback",
            {"question": "q", "verdict": "correct", "correction": "'area' means customer__region"},
        )
        assert project.vocabulary.entries() == []
    assert "not learned: unknown metric or dimension 'customer__regoin'" in out
    assert "Did you mean 'customer__region'" in out
    assert [e["learned"] for e in FeedbackStore.of(demo_copy).entries()] == [[], [], []]


def test_feedback_errors_write_nothing(demo_copy: Path) -> None:
    with Project.load(demo_copy) as project:
        server = build_server(project, token=token(project, "ana"))
        assert "verdict 'maybe' is not one of correct, incorrect" in error(
            server, "record_feedback", {"question": "q", "verdict": "maybe"}
        )
        assert "Did you mean 'customer__region'" in error(
            server,
            "record_feedback",
            {"question": "q", "verdict": "incorrect", "phrase": "area", "target": "customer__regoin"},
        )
        assert "pass both phrase and target" in error(
            server, "record_feedback", {"question": "q", "verdict": "incorrect", "phrase": "area"}
        )
        assert "only from an incorrect answer" in error(
            server,
            "record_feedback",
            {"question": "q", "verdict": "correct", "phrase": "area", "target": "customer__region"},
        )
        assert "the question is empty" in error(
            server, "record_feedback", {"question": " ", "verdict": "correct"}
        )
        assert "not a JSON object" in error(
            server, "record_feedback", {"question": "q", "verdict": "correct", "query": "{nope"}
        )
        assert "never overrides a name" in error(
            server,
            "record_feedback",
            {"question": "q", "verdict": "incorrect", "phrase": "mrr", "target": "churned_customers"},
        )
        assert project.vocabulary.entries() == []
    assert not feedback_file(demo_copy).exists()


def test_concurrent_appends_never_interleave(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "metricmind" / "feedback.jsonl")
    long_question = "why " * 5000  # larger than a pipe buffer: one write must still stay whole

    def worker(n: int) -> None:
        for i in range(25):
            store.append(Feedback(question=f"{n}-{i} {long_question}", verdict="correct", user=str(n)))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = store.path.read_text().splitlines()
    assert len(lines) == 200
    entries = [json.loads(line) for line in lines]
    assert sorted(e["question"].split()[0] for e in entries) == sorted(
        f"{n}-{i}" for n in range(8) for i in range(25)
    )


def test_a_torn_last_line_is_skipped_and_not_glued_to_the_next(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.jsonl")
    store.append(Feedback(question="a", verdict="correct"))
    with store.path.open("a") as fh:
        fh.write('{"question": "torn", "verd')
    store.append(Feedback(question="b", verdict="incorrect"))
    assert [e["question"] for e in store.entries()] == ["a", "b"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("by 'area' I meant customer__region", ("area", "customer__region")),
        ("By “Area” I meant customer__region.", ("area", "customer__region")),
        ("by area i meant customer__region", ("area", "customer__region")),
        ('"paying accounts" means active_customers', ("paying accounts", "active_customers")),
        ("'geo' should be customer__region", ("geo", "customer__region")),
        ("area -> customer__region", ("area", "customer__region")),
        ("the numbers look off", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_correction(text: str | None, expected: tuple[str, str] | None) -> None:
    assert parse_correction(text) == expected
