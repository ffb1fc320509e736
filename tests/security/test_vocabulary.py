"""Issue 10, findings 3 and 4, and the resolver's guards: learned vocabulary is governed.

Each test here failed on the code before governance: a correction changed what a metric name means for
everyone at once (no review, no audit, any claimed MCP user), and a learned metric synonym was written
where the YAML loader read it as a semantic file, which then broke every command on the project.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metricmind.errors import QuestionTooLongError
from metricmind.project import Project
from metricmind.resolve import MAX_QUESTION_CHARS, Resolver, check_word, read_learned
from metricmind.resolve.resolver import _Reading
from metricmind.resolve.text import tokenize
from metricmind.resolve.vocabulary import VocabularyError
from metricmind.spec.vocabulary import LEGACY_FILE, VOCABULARY_FILE, Word, read_words, write_words

DAY = dt.date(2026, 6, 30)


@pytest.fixture(scope="session")
def vocab_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once (scale 300, data through 2026-06-30)."""
    from metricmind.demo.build import build_demo

    target = tmp_path_factory.mktemp("vocab-demo") / "demo"
    build_demo(target, scale=300, end_date=DAY.isoformat())
    return target


@pytest.fixture
def demo(vocab_demo_dir: Path, tmp_path: Path) -> Path:
    """A fresh copy of the demo for a test that writes."""
    target = tmp_path / "demo"
    shutil.copytree(vocab_demo_dir, target, ignore=shutil.ignore_patterns(".metricmind"))
    return target


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``metricmind`` CLI on ``root`` (PYTHONPATH inherited, so the tree under test runs)."""
    return subprocess.run(
        [sys.executable, "-m", "metricmind", *args, "--project", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )


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
