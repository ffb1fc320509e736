"""Lexical similarity search: BM25 over an inverted index in numpy, re-ranked with rapidfuzz.

The always-available path (no model, nothing downloaded). Words are lower-cased, split on non-letters
and lightly stemmed (a trailing ``s``), so "revenue by months" meets "monthly revenue"
half-way; rapidfuzz's token-set ratio re-ranks the best BM25 candidates so word order and small typos
do not matter. Top-k over 100k short texts takes a few milliseconds (see bench/learn.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

WORD = re.compile(r"[a-z0-9]+")
STOP = frozenset("a an and by for from in is of on per show the to was were what which with me".split())


def tokens(text: str) -> list[str]:
    """The index terms of ``text``."""
    out = []
    for word in WORD.findall(text.lower()):
        if word in STOP:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        if word.endswith("ly") and len(word) > 5:
            word = word[:-2]
        out.append(word)
    return out


@dataclass(frozen=True)
class Hit:
    """One search result: the item's key, its text and a score in 0–100."""

    key: int
    text: str
    score: float


class LexicalIndex:
    """An append-only BM25 index of short texts, each with an integer key."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.keys: list[int] = []
        self.texts: list[str] = []
        self._lengths: list[int] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._frozen: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._norm: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.keys)

    def add(self, key: int, text: str) -> None:
        """Index ``text`` under ``key``."""
        doc = len(self.keys)
        self.keys.append(key)
        self.texts.append(text)
        terms = tokens(text)
        self._lengths.append(len(terms))
        self._norm = None
        for term in terms:
            self._postings[term].append(doc)
            self._frozen.pop(term, None)

    def extend(self, items: Sequence[tuple[int, str]]) -> None:
        """Index many ``(key, text)`` pairs."""
        for key, text in items:
            self.add(key, text)

    def freeze(self) -> None:
        """Prepare every term's posting arrays now (else the first search of a term does it)."""
        for term in self._postings:
            self._posting(term)
        self._norms()

    def _posting(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        found = self._frozen.get(term)
        if found is None:
            docs, tf = np.unique(np.asarray(self._postings.get(term, ()), dtype=np.int64), return_counts=True)
            found = (docs, tf.astype(np.float32))
            self._frozen[term] = found
        return found

    def _norms(self) -> np.ndarray:
        if self._norm is None:
            lengths = np.asarray(self._lengths, dtype=np.float32)
            self._norm = self.k1 * (
                1 - self.b + self.b * lengths / max(float(lengths.mean()) if lengths.size else 1.0, 1.0)
            )
        return self._norm

    def search(self, text: str, k: int = 5, min_score: float = 0.0) -> list[Hit]:
        """The ``k`` texts most similar to ``text``, best first, scored 0–100 by rapidfuzz."""
        n = len(self.keys)
        terms = set(tokens(text))
        if not n or not terms:
            return []
        norm = self._norms()
        scores = np.zeros(n, dtype=np.float32)
        for term in terms:
            docs, tf = self._posting(term)
            if not len(docs):
                continue
            idf = np.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            scores[docs] += idf * tf * (self.k1 + 1) / (tf + norm[docs])
        candidates = np.flatnonzero(scores)
        if not len(candidates):
            return []
        pool = min(len(candidates), max(k * 8, 32))
        best = candidates[np.argpartition(-scores[candidates], pool - 1)[:pool]]
        hits = [Hit(self.keys[i], self.texts[i], fuzz.token_set_ratio(text, self.texts[i])) for i in best]
        hits = [h for h in hits if h.score >= min_score]
        hits.sort(key=lambda h: (-h.score, h.key))
        return hits[:k]
