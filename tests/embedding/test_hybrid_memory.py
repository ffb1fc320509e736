"""Search by meaning in the agent memory: paraphrases found, vectors stored once, lexical without a model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from metricmind.embedding import EmbeddingUnavailable, MiniLM
from metricmind.learn import schema
from metricmind.learn.memory import Episode, Memory
from metricmind.learn.similarity import LexicalIndex
from metricmind.learn.vectors import HybridIndex, from_blob, fused_score, to_blob
from tests.conftest import in_ci


class Counting:
    """The real model, counting the texts it embeds."""

    def __init__(self, model: MiniLM) -> None:
        self.model = model
        self.name = model.name
        self.texts = 0

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += len(texts)
        return self.model.embed(texts)


@pytest.fixture(scope="module")
def model() -> MiniLM:
    try:
        return MiniLM()
    except EmbeddingUnavailable as exc:
        if in_ci():
            pytest.fail(f"the embeddings extra is part of make test's install: {exc}")
        pytest.skip(str(exc))


PAST = [
    "cash received from customers last quarter",
    "marketing spend per new customer by channel",
    "recurring revenue lost to downgrades in 2024",
    "active users per week on mobile",
    "invoice count by billing country",
]


def test_a_paraphrase_with_no_shared_word_is_found_only_by_meaning(model: MiniLM) -> None:
    question = "money collected from clients"
    lexical = LexicalIndex()
    lexical.extend(list(enumerate(PAST)))
    assert not lexical.search(question, 1, min_score=50)
    hybrid = HybridIndex(model)
    hybrid.extend(list(enumerate(PAST)))
    hits = hybrid.search(question, 2)
    assert hits[0].key == 0 and hits[0].score > hits[1].score + 5
    assert hybrid.search(PAST[3], 1)[0].score == pytest.approx(100.0, abs=0.01)


def test_without_a_model_the_hybrid_index_is_the_lexical_one() -> None:
    hybrid, lexical = HybridIndex(None), LexicalIndex()
    hybrid.extend(list(enumerate(PAST)))
    lexical.extend(list(enumerate(PAST)))
    for text in ("customers by channel", "revenue lost 2024", "nothing alike"):
        assert hybrid.search(text, 3) == lexical.search(text, 3)
    assert not hybrid.semantic and hybrid.vector("x") is None


def test_scores_and_blobs() -> None:
    assert fused_score(1.0, 100.0) == pytest.approx(100.0)
    assert fused_score(-0.5, 0.0) == 0.0
    vector = np.linspace(-1, 1, 384, dtype=np.float32)
    assert np.array_equal(from_blob(to_blob(vector)), vector)
    assert from_blob(b"\x00" * 12) is None  # another model's size: embedded again


def test_memory_stores_vectors_once_and_finds_paraphrases(model: MiniLM, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    counting = Counting(model)
    first = Memory.open(url, semantic=False)
    first.embedder = counting
    for text in PAST:
        first.record(Episode(success=True, question=text, pattern=text))
    hits = first.search("money collected from clients", kind="episodes", k=1)
    assert hits and hits[0].text == PAST[0]
    embedded = counting.texts
    assert embedded == len(PAST) + 1  # the items once, the query once
    with first.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.vectors)).scalar_one() == len(PAST)
    first.close()

    second = Memory.open(url, semantic=False)
    again = Counting(model)
    second.embedder = again
    assert second.search("money collected from clients", kind="episodes", k=1)[0].text == PAST[0]
    assert again.texts == 1  # only the query: the items' vectors came from the store
    second.record(Episode(success=True, question="trial to paid conversion", pattern="conv"))
    assert second.search("how many trials become paying", kind="episodes", k=1)[0].text.startswith("trial")
    assert second.reset()["learn_vectors"] == len(PAST) + 1
    second.close()


def test_memory_without_the_model_searches_lexically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICMIND_EMBEDDINGS", "off")
    memory = Memory.open(f"sqlite:///{tmp_path / 'store.db'}")
    assert memory.embedder is None
    memory.record(Episode(success=True, question="revenue by month", pattern="p"))
    assert memory.search("monthly revenue", kind="episodes")[0].text == "revenue by month"
    memory.close()
