"""The offline embedder: the real model ranks paraphrases, caches, and steps aside when turned off."""

from __future__ import annotations

import numpy as np
import pytest

from metricmind import embedding
from metricmind.embedding import DIMENSION, EmbeddingUnavailable, MiniLM, cosine_top_k, default_embedder
from tests.conftest import in_ci


@pytest.fixture(scope="module")
def model() -> MiniLM:
    try:
        return MiniLM()
    except EmbeddingUnavailable as exc:
        if in_ci():
            pytest.fail(f"the embeddings extra is part of make test's install: {exc}")
        pytest.skip(str(exc))


DESCRIPTIONS = [
    "Cash collected: payments received from customers",
    "Customer acquisition cost: marketing spend per new customer",
    "Contraction MRR: recurring revenue lost from downgrades",
    "New customers: count of customers who signed up",
    "Revenue: total invoiced amount",
    "Churned MRR: recurring revenue lost from cancellations",
]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("money collected from clients", 0),
        ("what it costs us to land a customer", 1),
        ("revenue we lose when accounts move to a cheaper plan", 2),
        ("how many accounts did we add", 3),
    ],
)
def test_paraphrases_find_their_description(model: MiniLM, question: str, expected: int) -> None:
    matrix = model.embed(DESCRIPTIONS)
    top = cosine_top_k(model.embed([question])[0], matrix, 2)
    assert top[0][0] == expected, [(DESCRIPTIONS[i], round(s, 3)) for i, s in top]
    assert top[0][1] > top[1][1]


def test_vectors_are_unit_length_and_stable(model: MiniLM) -> None:
    vectors = model.embed(["monthly recurring revenue", "  monthly   recurring revenue ", ""])
    assert vectors.shape == (3, DIMENSION) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[1])  # whitespace does not change the text's vector
    assert model.embed([]).shape == (0, DIMENSION)


def test_a_text_gets_the_same_vector_alone_or_in_company(model: MiniLM) -> None:
    alone = model.embed(["active users by week"])[0]
    fresh = MiniLM().embed(
        ["a much longer text to go first in the batch, with many words", "active users by week"]
    )
    assert np.allclose(alone, fresh[1], atol=1e-6)


def test_top_k_orders_best_first_and_handles_edges() -> None:
    matrix = np.eye(4, dtype=np.float32)
    query = np.array([0.1, 0.9, 0.3, 0.0], dtype=np.float32)
    assert [i for i, _ in cosine_top_k(query, matrix, 3)] == [1, 2, 0]
    assert cosine_top_k(query, matrix, 10)[-1][0] == 3
    assert cosine_top_k(query, matrix[:0], 3) == [] and cosine_top_k(query, matrix, 0) == []


def test_the_environment_turns_embeddings_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("METRICMIND_EMBEDDINGS", "off")
    assert default_embedder() is None
    monkeypatch.delenv("METRICMIND_EMBEDDINGS")
    if in_ci():
        assert default_embedder() is not None


def test_a_missing_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    real = embedding.model.importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name == "onnxruntime" else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(embedding.model.importlib.util, "find_spec", find_spec)
    with pytest.raises(EmbeddingUnavailable, match="onnxruntime.*metricmind\\[embeddings\\]"):
        MiniLM()


def test_a_batch_gives_the_vectors_of_one_text_at_a_time(model: MiniLM) -> None:
    """Uncached texts of different lengths are embedded together, padded; the padding changes nothing."""
    texts = [*DESCRIPTIONS, "mrr", "money collected from clients last quarter by region and plan tier"]
    batched = MiniLM().embed(texts)  # a fresh model: nothing cached, so every text goes through a batch
    one_by_one = np.vstack([MiniLM().embed([t]) for t in texts])
    assert batched.shape == (len(texts), DIMENSION)
    assert np.abs(batched - one_by_one).max() < 1e-5
    again = model.embed([texts[1], texts[1], texts[0]])  # repeats and cached texts keep their order
    assert np.abs(again[0] - batched[1]).max() < 1e-5 and np.abs(again[2] - batched[0]).max() < 1e-5
