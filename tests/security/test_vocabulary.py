"""Issue 10, findings 3 and 4, and the resolver's guards: learned vocabulary is governed.

Each test here failed on the code before governance: a correction changed what a metric name means for
everyone at once (no review, no audit, any claimed MCP user), and a learned metric synonym was written
where the YAML loader read it as a semantic file, which then broke every command on the project.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mcp.server.mcpserver import MCPServer

from metricmind.errors import PermissionDenied, QuestionTooLongError
from metricmind.interfaces.mcpserver.server import build_server
from metricmind.project import Project
from metricmind.resolve import MAX_QUESTION_CHARS, Resolver, check_word, read_learned
from metricmind.resolve.resolver import _Reading
from metricmind.resolve.text import tokenize
from metricmind.resolve.vocabulary import VocabularyError
from metricmind.spec.vocabulary import LEGACY_FILE, VOCABULARY_FILE, Word, read_words, write_words
from tests.mcp.helpers import error, ok

DAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def vocab_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once (scale 300, data through 2026-06-30)."""
    from tests.shared_demo import demo_copy

    target = tmp_path_factory.mktemp("vocab-demo") / "demo"
    return demo_copy(tmp_path_factory, target, scale=300, end_date=DAY.isoformat())


@pytest.fixture
def demo(vocab_demo_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo for a test that writes."""
    target = tmp_path / "demo"
    shutil.copytree(vocab_demo_dir, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target


def cli(root: Path, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``metricmind`` CLI on ``root`` (PYTHONPATH inherited, so the tree under test runs)."""
    env = {k: v for k, v in os.environ.items() if k != "METRICMIND_TOKEN"}
    if token:
        env["METRICMIND_TOKEN"] = token
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args, "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "NO_COLOR": "1"},
    )


def metrics_of(server: MCPServer, question: str) -> list[str]:
    """The metrics ``resolve_question`` reads in ``question`` (empty when it cannot answer)."""
    answer = json.loads(ok(server, "resolve_question", {"question": question, "as_of": DAY.isoformat()}))
    return list((answer.get("query") or {}).get("metrics") or [])


# -- finding 3: one person cannot change what a word means for everyone ----------------------------------
@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_a_correction_is_its_authors_at_once_and_shared_only_through_review(
    demo: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: feedback ``phrase → churned_customers`` changed the answer for all users at once, with no
    review and no audit entry."""
    if store == "postgres":
        monkeypatch.setenv("METRICMIND_STORE_URL", str(request.getfixturevalue("postgres_url")))
    question = "recurring dosh by region"
    with Project.load(demo) as project:
        ana = project.catalog.add_user("ana", "approver")  # an approver: four eyes still apply to her
        bo = project.catalog.add_user("bo", "approver")
        ana_server = build_server(project, token=ana)
        out = ok(
            ana_server,
            "record_feedback",
            {
                "question": question,
                "verdict": "incorrect",
                "phrase": "Recurring Dosh",
                "target": "churned_customers",
            },
        )
        assert "learned for ana at once" in out
        assert metrics_of(ana_server, question) == ["churned_customers"]  # helps its author at once
        for other in (build_server(project), build_server(project, token=bo)):
            assert metrics_of(other, question) == []  # nobody else
        word = project.vocabulary.entries()[0]
        assert (word["author"], word["state"]) == ("ana", "in_review")
        events = [
            (e["user"], e["action"], e["kind"]) for e in project.catalog.audit(subject="recurring dosh")
        ]
        assert events == [("ana", "submit", "vocabulary"), ("ana", "create", "vocabulary")]
        with pytest.raises(PermissionDenied, match="cannot approve it"):
            project.approve_word(word["id"], "ana")  # four eyes
        assert not (demo / VOCABULARY_FILE).exists()
    done = cli(demo, "vocabulary", "approve", str(word["id"]), token=bo)
    assert done.returncode == 0, done.stderr
    with Project.load(demo) as project:
        assert metrics_of(build_server(project), question) == ["churned_customers"]  # now everyone's
        assert ("bo", "approve") in [
            (e["user"], e["action"]) for e in project.catalog.audit(subject="recurring dosh")
        ]
        # and a shared word can be removed (by an approver), with an audit entry
        project.vocabulary.remove(word["id"], "bo")
        assert metrics_of(build_server(project), question) == []
    assert "recurring dosh" not in (demo / VOCABULARY_FILE).read_text()


# -- MCP writes need a token; the user comes from the token ---------------------------------------------
def test_mcp_writes_need_a_token(demo: Path) -> None:
    """Before: any MCP client, with no identity at all, taught words to everyone."""
    with Project.load(demo) as project:
        server = build_server(project)
        assert "mrr" in ok(server, "list_metrics")  # read-only tools still work
        assert metrics_of(server, "mrr by region") == ["mrr"]
        message = error(
            server,
            "record_feedback",
            {"question": "q", "verdict": "incorrect", "phrase": "dosh", "target": "mrr", "user": "admin"},
        )
        assert "this server has no token" in message and "METRICMIND_TOKEN" in message
        with pytest.raises(PermissionDenied, match="not the token of any user"):
            build_server(project, token="not-a-token")
    assert not (demo / "metricmind" / "feedback.jsonl").exists()
    assert not (demo / VOCABULARY_FILE).exists()


def test_mcp_takes_the_user_from_the_token_never_from_an_argument(demo: Path) -> None:
    """Before: ``record_feedback(user="anyone")`` was recorded as that user."""
    with Project.load(demo) as project:
        token = project.catalog.add_user("ana", "editor")
        project.catalog.add_user("bo", "approver")
        server = build_server(project, token=token)
        message = error(server, "record_feedback", {"question": "q", "verdict": "correct", "user": "bo"})
        assert "writes as 'ana'" in message and "not as 'bo'" in message
        ok(
            server,
            "record_feedback",
            {"question": "q", "verdict": "incorrect", "phrase": "dosh", "target": "mrr"},
        )
        assert [w["author"] for w in project.vocabulary.entries()] == ["ana"]
    lines = (demo / "metricmind" / "feedback.jsonl").read_text().splitlines()
    assert [json.loads(line)["user"] for line in lines] == ["ana"]


def test_a_word_taught_through_mcp_and_approved_leaves_the_project_working(demo: Path) -> None:
    """Before: the learned metric synonym made every CLI query, validation and approval fail."""
    with Project.load(demo) as project:
        ana = project.catalog.add_user("ana", "editor")
        bo = project.catalog.add_user("bo", "approver")
        ok(
            build_server(project, token=ana),
            "record_feedback",
            {"question": "dosh", "verdict": "incorrect", "correction": "'recurring dosh' means mrr"},
        )
    assert cli(demo, "vocabulary", "approve", "1", token=bo).returncode == 0
    for args in (
        ["validate"],
        ["query", "--metrics", "mrr", "--limit", "1"],
        ["ask", "recurring dosh by region"],
    ):
        done = cli(demo, *args)
        assert done.returncode == 0, done.stderr
    assert "recurring dosh" in cli(demo, "ask", "recurring dosh by region").stdout


# -- finding 4: learned words never break the project --------------------------------------------------
@pytest.mark.parametrize("shape", ["old", "new"])
def test_a_project_with_learned_words_still_loads_queries_and_validates(demo: Path, shape: str) -> None:
    """Before: ``learned_synonyms.yml`` (``metrics: {phrase: target}``) made every command fail with
    "'metrics' must be a list". Now neither the old file nor the new vocabulary is a semantic file."""
    (demo / "metricmind").mkdir(exist_ok=True)
    if shape == "old":
        (demo / LEGACY_FILE).write_text(
            "metrics:\n  recurring dosh: mrr\ndimensions:\n  zorblat: customer__region\n"
        )
    else:
        write_words(demo, [Word("recurring dosh", "metric", "mrr", "ana", "bo")])
    with Project.load(demo) as project:
        assert not [i for i in project.validate() if i.level.value == "error"]
        assert "mrr" in project.model.metrics
        # the words are read as shared vocabulary
        assert read_learned(demo)["metric"] == {"recurring dosh": "mrr"}
        res = Resolver.for_project(project.model, demo).resolve("recurring dosh", as_of=DAY)
        assert res.metrics == ["mrr"]
    for args in (["validate"], ["query", "--metrics", "mrr", "--limit", "1"]):
        done = cli(demo, *args)
        assert done.returncode == 0, done.stderr
    if shape == "old":  # the next write folds the old file into the new one
        write_words(demo, read_words(demo))
        assert not (demo / LEGACY_FILE).exists()
        assert "recurring dosh" in (demo / VOCABULARY_FILE).read_text()


# -- exact names: a learned word never overrides one ---------------------------------------------------
@pytest.mark.parametrize(
    ("phrase", "target"),
    [
        ("mrr", "churned_customers"),  # a metric's name
        ("  MRR ", "churned_customers"),  # after normalisation
        ("Monthly Recurring Revenue", "arr"),  # a metric's label
        ("region", "customer__segment"),  # a dimension's name
        ("EMEA", "customer__region=APAC"),  # a value
    ],
)
def test_a_learned_word_never_overrides_an_exact_name(vocab_demo_dir: Path, phrase: str, target: str) -> None:
    with Project.load(vocab_demo_dir) as project:
        model = project.model
        with pytest.raises(VocabularyError, match="never overrides a name"):
            check_word(model, phrase, target)
        # and a vocabulary file that says so anyway is not obeyed
        kind = "metric" if target in model.metrics else "value" if "=" in target else "dimension"
        resolver = Resolver(model, {kind: {phrase.strip().lower(): target}})
        assert (phrase.strip().lower(), target) in resolver.lex.refused


def test_mrr_by_region_still_means_mrr_whatever_was_learned(vocab_demo_dir: Path) -> None:
    with Project.load(vocab_demo_dir) as project:
        resolver = Resolver(project.model, {"metric": {"mrr": "churned_customers"}})
        res = resolver.resolve("mrr by region", as_of=DAY)
    assert res.metrics == ["mrr"]


def test_a_new_phrase_is_accepted_with_its_kind(vocab_demo_dir: Path) -> None:
    with Project.load(vocab_demo_dir) as project:
        assert check_word(project.model, "  Recurring  Dosh ", "mrr") == ("metric", "recurring dosh")
        assert check_word(project.model, "zorblat", "customer__region") == ("dimension", "zorblat")
        assert check_word(project.model, "old world", "customer__region=EMEA") == ("value", "old world")
        with pytest.raises(VocabularyError, match="nothing to learn"):
            check_word(project.model, "mrr", "mrr")


# -- resolver guards ----------------------------------------------------------------------------------
def test_accented_words_are_one_token_matched_without_accents(vocab_demo_dir: Path) -> None:
    """Before: "région" was split into "r" and "gion"."""
    tokens = tokenize("MRR par région")
    assert [t.text for t in tokens] == ["MRR", "par", "région"]
    assert tokens[2].stem == "region"
    with Project.load(vocab_demo_dir) as project:
        res = Resolver(project.model).resolve("MRR by région", as_of=DAY)
    assert res.answerable and res.group_by == [("customer__region", None)]


def test_a_question_over_the_limit_is_a_clear_error(vocab_demo_dir: Path) -> None:
    with Project.load(vocab_demo_dir) as project:
        resolver = Resolver(project.model)
        assert resolver.resolve("mrr by region " + "x" * (MAX_QUESTION_CHARS - 14), as_of=DAY)
        with pytest.raises(QuestionTooLongError, match="2,001 characters long") as err:
            resolver.resolve("m" * (MAX_QUESTION_CHARS + 1), as_of=DAY)
    assert err.value.to_dict()["error"] == "question_too_long"
    done = cli(vocab_demo_dir, "ask", "mrr " * 600)
    assert done.returncode != 0 and "questions are limited to 2,000 characters" in done.stderr


def test_reading_a_question_is_linear_in_its_length(vocab_demo_dir: Path) -> None:
    """Before: a 60 KB question took 18 s of CPU (each metric or value word rescanned the whole question).

    Counted in Python function calls (deterministic, unlike time on a shared machine): four times the
    words must cost about four times the calls, not sixteen.
    """
    base = "top 5 plans by new MRR in région EMEA excluding SMB compared to last year, churned vs new customers; "
    with Project.load(vocab_demo_dir) as project:
        resolver = Resolver(project.model)

    def calls(n: int) -> int:
        question = (base * (n // len(base) + 1))[:n]
        count = 0

        def profile(frame: object, event: str, arg: object) -> None:
            nonlocal count
            count += 1

        sys.setprofile(profile)
        try:
            _Reading(resolver, question, DAY).run()  # below the length guard, on purpose
        finally:
            sys.setprofile(None)
        return count

    small, large = calls(4000), calls(16000)
    assert large / small < 6, (small, large)


def test_the_web_teaches_the_signed_in_editor_and_the_review_queue_shares(demo: Path) -> None:
    """Before: an editor's correction in the Ask box changed the answer for everyone at once."""
    from fastapi.testclient import TestClient

    from metricmind.interfaces.web.app import create_app

    with Project.load(demo) as project:
        ana = project.catalog.add_user("ana", "approver")
        bo = project.catalog.add_user("bo", "approver")
        client = TestClient(create_app(project), base_url="http://localhost")
        as_ana, as_bo = {"Authorization": f"Bearer {ana}"}, {"Authorization": f"Bearer {bo}"}
        refused = client.post(
            "/ask/feedback",
            data={
                "q": "mrr by region",
                "verdict": "incorrect",
                "phrase": "MRR",
                "target": "churned_customers",
            },
            headers=as_ana,
        )
        assert refused.status_code >= 400 and "never overrides a name" in refused.text
        taught = client.post(
            "/ask/feedback",
            data={"q": "dosh by region", "verdict": "incorrect", "phrase": "dosh", "target": "mrr"},
            headers=as_ana,
            follow_redirects=False,
        )
        assert taught.status_code == 303
        word_id = int(taught.headers["location"].split("taught=")[1].split("&")[0])
        queue = client.get("/review", headers=as_bo)
        assert f'id="word-{word_id}"' in queue.text and f"/review/vocabulary/{word_id}/approve" in queue.text
        assert f"/review/vocabulary/{word_id}/approve" not in client.get("/review", headers=as_ana).text
        assert client.post(f"/review/vocabulary/{word_id}/approve", headers=as_ana).status_code == 403
        done = client.post(f"/review/vocabulary/{word_id}/approve", headers=as_bo)
        assert done.status_code == 200 and "approved" in done.text
        answer = client.get("/api/ask", params={"q": "dosh by region", "as_of": DAY.isoformat()}).json()
        assert answer["metrics"] == ["mrr"]
        assert client.get("/api/ask", params={"q": "x" * 2001}).status_code == 422
        # a word approved in another process applies to the running server at once
        second = client.post("/api/vocabulary", json={"phrase": "moolah", "target": "arr"}, headers=as_ana)
        assert second.status_code == 201, second.text
        assert client.get("/api/ask", params={"q": "moolah"}).json()["answerable"] is False
        approved = cli(demo, "vocabulary", "approve", str(second.json()["word"]["id"]), token=bo)
        assert approved.returncode == 0, approved.stderr
        assert client.get("/api/ask", params={"q": "moolah"}).json()["metrics"] == ["arr"]


def test_old_words_can_be_listed_and_removed_by_an_approver(demo: Path) -> None:
    """Words the store has no row for (the old file, a hand edit) are listed and removed, with an audit entry."""
    (demo / "metricmind").mkdir(exist_ok=True)
    (demo / LEGACY_FILE).write_text("metrics:\n  recurring dosh: mrr\n  mrr: churned_customers\n")
    with Project.load(demo) as project:
        ed = project.catalog.add_user("ed", "editor")
        ap = project.catalog.add_user("ap", "approver")
        assert metrics_of(build_server(project), "mrr by region") == ["mrr"]  # the clash is ignored
    listed = cli(demo, "vocabulary", "list", "--shared", "--json")
    assert {(w["phrase"], w["target"]) for w in json.loads(listed.stdout)} == {
        ("recurring dosh", "mrr"),
        ("mrr", "churned_customers"),
    }
    denied = cli(demo, "vocabulary", "remove", "--phrase", "mrr", token=ed)
    assert denied.returncode != 0 and "needs an approver" in denied.stderr
    done = cli(demo, "vocabulary", "remove", "--phrase", "MRR", token=ap)
    assert done.returncode == 0, done.stderr
    assert not (demo / LEGACY_FILE).exists()  # folded into vocabulary.yml on this write
    assert [w.phrase for w in read_words(demo)] == ["recurring dosh"]
    with Project.load(demo) as project:
        assert [(e["user"], e["action"]) for e in project.catalog.audit(subject="mrr")][:1] == [
            ("ap", "remove")
        ]


@pytest.mark.parametrize("store", ["sqlite", "postgres"])
def test_concurrent_approvals_keep_every_word(
    demo: Path, store: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two approvers in two processes each share a word: the file holds both (no lost update)."""
    import threading

    if store == "postgres":
        monkeypatch.setenv("METRICMIND_STORE_URL", str(request.getfixturevalue("postgres_url")))
    phrases = [f"dosh {n}" for n in ("one", "two", "three", "four", "five", "six")]
    with Project.load(demo) as project:
        project.catalog.add_user("ana", "editor")
        for name in ("bo", "cy"):
            project.catalog.add_user(name, "approver")
        ids = [project.learn("ana", p, "mrr")["id"] for p in phrases]
    errors: list[BaseException] = []

    def approve(who: str, mine: list[int]) -> None:
        try:
            with Project.load(demo) as own:  # its own engine and file lock, like another process
                for word_id in mine:
                    own.approve_word(word_id, who)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=approve, args=("bo", ids[0::2])),
        threading.Thread(target=approve, args=("cy", ids[1::2])),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sorted(w.phrase for w in read_words(demo)) == sorted(phrases)


def test_a_crash_between_commit_and_file_never_shares_an_unapproved_word(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store commits first: a failed file write leaves the word approved but unshared, and the next
    vocabulary write shares it; a word is never in the file without its approval."""
    import metricmind.catalog.vocabulary as governed

    with Project.load(demo) as project:
        project.catalog.add_user("ana", "editor")
        project.catalog.add_user("bo", "approver")
        first = project.learn("ana", "dosh", "mrr")["id"]
        second = project.learn("ana", "moolah", "arr")["id"]

        def crash(root: object, words: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(governed, "write_words", crash)
        with pytest.raises(OSError, match="disk full"):
            project.approve_word(first, "bo")
        monkeypatch.undo()
        assert project.vocabulary.get(first)["state"] == "approved"
        assert read_words(demo) == []  # not shared yet; and never shared without an approval
        project.approve_word(second, "bo")
    assert sorted(w.phrase for w in read_words(demo)) == ["dosh", "moolah"]
