"""Certification belongs to a definition version: an edit in git of what a certified metric computes drops
it to published (audit entry, notice to its owner); an edit of its words does not.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest

from metricmind.catalog.fingerprint import meaning
from metricmind.project import Project

REVENUE = Path("models") / "semantic" / "revenue.yml"
MRR_DESCRIPTION = "    description: Monthly recurring revenue of active and past-due paid subscriptions, at the end of the period.\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(demo: Path) -> Path:
    """The demo as a git repository with one commit (the state folder ignored)."""
    (demo / ".gitignore").write_text(".metricmind/\ntarget/\n")
    git(demo, "init", "-q", "-b", "main")
    git(demo, "-c", "user.name=ci", "-c", "user.email=ci@example.com", "add", "-A")
    git(demo, "-c", "user.name=ci", "-c", "user.email=ci@example.com", "commit", "-qm", "demo")
    return demo


def commit(root: Path, old: str, new: str, message: str) -> None:
    """Edit the revenue YAML in git (outside review) and commit it."""
    path = root / REVENUE
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))
    git(root, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-qam", message)


def status(root: Path) -> dict[str, object]:
    with Project.load(root) as project:
        return dict(project.catalog.metric("mrr"))


def test_a_description_edit_keeps_the_badge_a_meaning_edit_drops_it(
    repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = status(repo)
    assert first["status"] == "certified" and first["certified"] is True
    # words only: a new version, still certified
    commit(repo, MRR_DESCRIPTION, "    description: Monthly recurring revenue (MRR) at month end.\n", "words")
    words = status(repo)
    assert words["status"] == "certified" and words["version"] == int(str(first["version"])) + 1
    # what it computes: the measure's expression changes in the semantic model, the metric file is untouched
    caplog.set_level(logging.WARNING, logger="metricmind.project.governing")
    commit(
        repo,
        "        agg: sum\n        expr: mrr\n",
        "        agg: sum\n        expr: mrr * 1.1\n",
        "inflate",
    )
    with Project.load(repo) as project:
        catalog = project.catalog
        dropped = catalog.metric("mrr")
        assert dropped["status"] == "published" and dropped["certified"] is False
        assert [d["name"] for d in catalog.last_decertified if d["kind"] == "metric"][:1] == ["mrr"]
        entry = next(e for e in catalog.audit(subject="mrr") if e["action"] == "decertify")
        assert (entry["from_state"], entry["to_state"], entry["user"]) == ("certified", "published", None)
        assert entry["detail"]["owner"] == "revenue-analytics"
        # the metrics computed from it (certified ones too) drop with it: their numbers changed as well
        assert catalog.metric("arr")["status"] != "certified"
    notices = [r.getMessage() for r in caplog.records if "lost its certification" in r.getMessage()]
    assert any("@revenue-analytics: metric 'mrr'" in n for n in notices)
    # stays published on the next sync (the YAML still says certified, but not for this version) ...
    assert status(repo)["status"] == "published"
    # ... until an approver certifies the new version
    with Project.load(repo) as project:
        project.catalog.add_user("ann", "approver")
        assert project.catalog.certify("metric", "mrr", "ann")["status"] == "certified"
    assert status(repo)["status"] == "certified"


def test_the_fingerprint_ignores_words_and_follows_inputs(repo: Path) -> None:
    with Project.load(repo) as project:
        model = project.defined
        before = {m: meaning(model, "metric", m) for m in ("mrr", "arpa", "revenue")}
    commit(repo, MRR_DESCRIPTION, "    description: Changed words.\n", "words")
    commit(
        repo,
        "        status: certified\n        unit: currency\n        definition: Monthly recurring revenue at the end of the period.\n",
        "        status: certified\n        unit: currency\n        definition: Other words.\n",
        "meta",
    )
    with Project.load(repo) as project:
        same = {m: meaning(project.defined, "metric", m) for m in before}
    assert same == before
    commit(
        repo,
        "      numerator: mrr\n      denominator: active_customers\n",
        "      numerator: mrr\n      denominator: active_customers_at_start\n",
        "ratio",
    )
    with Project.load(repo) as project:
        after = {m: meaning(project.defined, "metric", m) for m in before}
    assert after["arpa"] != before["arpa"] and after["mrr"] == before["mrr"]


def test_a_certified_dataset_whose_sql_changes_drops_a_comment_does_not(repo: Path) -> None:
    sql = repo / "models" / "marts" / "fct_ad_spend.sql"

    def dataset() -> dict[str, object]:
        with Project.load(repo) as project:
            return dict(project.catalog.dataset("fct_ad_spend"))

    assert dataset()["status"] == "certified"
    sql.write_text(
        "-- reviewed in Q3\n" + sql.read_text().replace("    campaign,\n", "    campaign,  -- the ad group\n")
    )
    git(repo, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-qam", "comments")
    assert dataset()["status"] == "certified"
    sql.write_text(sql.read_text().replace("spend_cents / 100", "spend_cents / 1000"))
    git(repo, "-c", "user.name=dev", "-c", "user.email=dev@example.com", "commit", "-qam", "cents")
    assert dataset()["status"] == "published"
