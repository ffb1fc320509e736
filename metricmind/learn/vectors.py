"""Hybrid similarity search: the lexical index plus sentence embeddings, when the extra is installed.

``HybridIndex`` answers like ``LexicalIndex`` (``Hit`` with a 0–100 score, best first) and adds what
words alone miss: "money collected from clients" finds "cash received from customers". Items are
embedded when added (about 3 ms each; a store keeps the vectors as float32 blobs so a restart does not
embed again: ``add_vector``), and a search embeds the query once and scores every item with one matrix
product (100k items: about 5 ms). Without an embedder it is exactly the lexical index.

Scores fuse both views of every candidate (the lexical index's best and the embeddings' best):
``100 × (0.7 × cosine + 0.3 × token-set ratio)``, weights measured on two independently written
question sets (bench/learn_similarity.py: precision@1 for "asks the same thing" 29% lexical, 40%
embeddings alone, 42% fused). The same text scores 100; unrelated texts stay far below the thresholds
callers use for "the same question".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from metricmind.embedding import DIMENSION, Embedder, cosine_top_k
from metricmind.learn.similarity import Hit, LexicalIndex

SEMANTIC_WEIGHT = 0.7
"""Share of the cosine in a hybrid score (the rest is rapidfuzz's token-set ratio)."""
POOL = 32
"""Candidates taken from each view before fusing."""


def fused_score(cosine: float, ratio: float) -> float:
    """A hybrid score on the lexical scale (0–100) from a cosine and a 0–100 token-set ratio."""
    return float(max(0.0, 100.0 * SEMANTIC_WEIGHT * cosine + (1 - SEMANTIC_WEIGHT) * ratio))


def to_blob(vector: npt.NDArray[np.float32]) -> bytes:
    """A vector as the store keeps it (float32, little-endian)."""
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> npt.NDArray[np.float32] | None:
    """A stored vector, or ``None`` when the blob is not one of this model's (another size: re-embed)."""
    if len(blob) != DIMENSION * 4:
        return None
    return np.frombuffer(blob, dtype="<f4").astype(np.float32)


class HybridIndex:
    """An append-only index of short texts searched lexically and, with an embedder, by meaning."""

    def __init__(self, embedder: Embedder | None = None) -> None:
        self.embedder = embedder
        self.lexical = LexicalIndex()
        #: The vectors, row ``i`` for the lexical index's item ``i``; grown by doubling, so adding an
        #: item copies nothing (a search reads the view of the rows filled so far).
        self._buffer: npt.NDArray[np.float32] = np.zeros((0, DIMENSION), dtype=np.float32)
        self._filled = 0
        self._row_of: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.lexical)

    @property
    def semantic(self) -> bool:
        """True when searches use embeddings."""
        return self.embedder is not None

    def add(self, key: int, text: str) -> None:
        """Index ``text`` under ``key`` (embedding it when there is an embedder)."""
        vector = self.embedder.embed([text])[0] if self.embedder is not None else None
        self.add_vector(key, text, vector)

    def add_vector(self, key: int, text: str, vector: npt.NDArray[np.float32] | None) -> None:
        """Index ``text`` with a vector already computed (from the store); ``None`` embeds it now."""
        self._row_of.setdefault(key, len(self.lexical))
        self.lexical.add(key, text)
        if self.embedder is None:
            return
        if vector is None:
            vector = self.embedder.embed([text])[0]
        if self._filled == len(self._buffer):
            grown = np.zeros((max(64, 2 * len(self._buffer)), DIMENSION), dtype=np.float32)
            grown[: self._filled] = self._buffer[: self._filled]
            self._buffer = grown
        self._buffer[self._filled] = vector
        self._filled += 1

    def extend(self, items: Sequence[tuple[int, str]]) -> None:
        """Index many ``(key, text)`` pairs (embedded together)."""
        if self.embedder is None:
            self.lexical.extend(items)
            return
        vectors = self.embedder.embed([text for _, text in items])
        for (key, text), vector in zip(items, vectors, strict=True):
            self.add_vector(key, text, vector)

    def freeze(self) -> None:
        """Prepare the lexical postings and the vector matrix now rather than on the first search."""
        self.lexical.freeze()
        self._vectors()

    def _vectors(self) -> npt.NDArray[np.float32]:
        return self._buffer[: self._filled]

    def vector(self, text: str) -> npt.NDArray[np.float32] | None:
        """``text``'s vector (for a store to keep), or ``None`` without an embedder."""
        return None if self.embedder is None else self.embedder.embed([text])[0]

    def search(self, text: str, k: int = 5, min_score: float = 0.0) -> list[Hit]:
        """The ``k`` texts most similar to ``text``, best first, scored 0–100."""
        if self.embedder is None or not len(self):
            return self.lexical.search(text, k, min_score)
        matrix = self._vectors()
        query = self.embedder.embed([text])[0]
        rows = {row for row, _ in cosine_top_k(query, matrix, max(POOL, k))}
        rows.update(self._row_of[hit.key] for hit in self.lexical.search(text, max(POOL, k)))
        hits = []
        for row in rows:
            candidate = self.lexical.texts[row]
            score = fused_score(float(matrix[row] @ query), fuzz.token_set_ratio(text, candidate))
            if score >= min_score:
                hits.append(Hit(self.lexical.keys[row], candidate, score))
        hits.sort(key=lambda h: (-h.score, h.key))
        return hits[:k]
