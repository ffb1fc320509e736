"""The governed vocabulary's workflow rules on SQLite and PostgreSQL: who may teach, edit, submit,
approve, reject and remove a learned word, and what each step leaves in the audit log and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.catalog.workflow import WorkflowError
from metricmind.errors import ConflictError, PermissionDenied, UnknownNameError
from metricmind.project import Project
from metricmind.resolve import VocabularyError
from metricmind.spec.vocabulary import VOCABULARY_FILE, read_words


@pytest.fixture
def project(project_dir: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The shop project on a fresh store, with an editor, a second editor, an approver and a viewer."""
    monkeypatch.setenv("METRICMIND_STORE_URL", store_url)
    proj = Project.load(project_dir)
    for name, role in (("ed", "editor"), ("eve", "editor"), ("ap", "approver"), ("vi", "viewer")):
        proj.catalog.add_user(name, role)
    return proj


def test_teach_edit_reject_resubmit_approve_remove(project: Project) -> None:
    word = project.learn("ed", "takings", "revenue", submit=False)
    assert (word["state"], word["kind"], word["shared"]) == ("draft", "metric", False)
    assert [w.phrase for w in project.vocabulary.own("ed")] == ["takings"]
    assert project.vocabulary.own("eve") == []
    with pytest.raises(WorkflowError, match="cannot approve a change that is draft"):
        project.approve_word(word["id"], "ap")
    with pytest.raises(PermissionDenied, match="only its author can submit"):
        project.vocabulary.submit(word["id"], "eve")
    assert project.vocabulary.submit(word["id"], "ed")["state"] == "in_review"
    rejected = project.vocabulary.reject(word["id"], "ap", "too vague")
    assert (rejected["state"], rejected["reason"], rejected["reviewer"]) == ("rejected", "too vague", "ap")
    assert [w.phrase for w in project.vocabulary.own("ed")] == ["takings"]  # still the author's own
    with pytest.raises(PermissionDenied, match="only its author can edit"):
        project.edit_word(word["id"], "eve", "orders")
    edited = project.edit_word(word["id"], "ed", "completed_revenue")
    assert (edited["target"], edited["state"]) == ("completed_revenue", "in_review")
    assert project.approve_word(word["id"], "ap")["shared"] is True
    assert [(w.phrase, w.target, w.approved_by) for w in read_words(project.root)] == [
        ("takings", "completed_revenue", "ap")
    ]
    with pytest.raises(PermissionDenied, match="removing it needs an approver"):
        project.vocabulary.remove(word["id"], "ed")
    project.vocabulary.remove(word["id"], "ap")
    assert read_words(project.root) == [] and (project.root / VOCABULARY_FILE).exists()
    actions = [(e["user"], e["action"]) for e in project.catalog.audit(subject="takings")]
    assert actions == [
        ("ap", "remove"),
        ("ap", "approve"),
        ("ed", "submit"),
        ("ed", "edit"),
        ("ap", "reject"),
        ("ed", "submit"),
        ("ed", "create"),
    ]


def test_who_may_teach_and_what(project: Project) -> None:
    with pytest.raises(PermissionDenied, match="a viewer cannot create"):
        project.learn("vi", "takings", "revenue")
    with pytest.raises(PermissionDenied, match="unknown user 'nobody'"):
        project.learn("nobody", "takings", "revenue")
    with pytest.raises(VocabularyError, match="already the name of metric revenue"):
        project.learn("ed", "Revenue", "orders")
    with pytest.raises(VocabularyError, match="at most 80"):
        project.learn("ed", "word " * 30, "orders")
    with pytest.raises(UnknownNameError, match="Did you mean 'revenue'"):
        project.learn("ed", "takings", "revenu")
    assert project.learn("ed", "state", "order__status=returned")["kind"] == "value"
    with pytest.raises(UnknownNameError):
        project.learn("ed", "gone back", "order__status=lost")
    assert project.vocabulary.entries(state="in_review", author="ed")[0]["phrase"] == "state"


def test_a_second_teaching_replaces_the_authors_own_word(project: Project) -> None:
    first = project.learn("ed", "takings", "revenue")
    second = project.learn("ed", "Takings", "orders")
    assert first["id"] == second["id"] and second["target"] == "orders" and second["state"] == "in_review"
    other = project.learn("eve", "takings", "revenue")  # another person keeps their own
    assert other["id"] != first["id"]
    project.approve_word(other["id"], "ap")
    with pytest.raises(ConflictError, match="already means revenue for everyone"):
        project.approve_word(first["id"], "ap")
    # the author's own word still wins for the author
    assert project.resolver("ed").resolve("takings").metrics == ["orders"]
    assert project.resolver("eve").resolve("takings").metrics == ["revenue"]
    assert project.resolver().resolve("takings").metrics == ["revenue"]
