"""Values compared by meaning with words of a question: one cached embedding matrix per list of value texts.

``kindvalues`` ("hospitals and clinics"), ``meaningvalues`` ("new MRR from banks") and ``entitykinds`` ("big
companies") each compare a few words with a dimension's values, every value said as its words and its catalog
aliases. The values' vectors are computed once per list of texts (the catalog does not change while a resolver
lives) and kept, behind a lock, for every resolver of the process; the words asked about are embedded each time.

Without the embeddings extra (or with ``$METRICMIND_RESOLVE_MEANING=off``) there are no scores: callers then read
nothing by meaning.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from metricmind.embedding import default_embedder
from metricmind.resolve.embedscore import enabled

_VECTORS: dict[tuple[str, ...], np.ndarray] = {}
_LOCK = threading.Lock()


def value_text(value: str, aliases: Sequence[str] = ()) -> str:
    """A value said in words with its aliases ("paid social linkedin ads facebook ads")."""
    return " ".join([value.replace("_", " "), *aliases])


def similarities(texts: Sequence[str], said: str) -> np.ndarray | None:
    """The cosine of ``said`` with each of ``texts`` (None: no embedding model, or meaning is off)."""
    if not texts or not enabled():
        return None
    embedder = default_embedder()
    if embedder is None:
        return None
    key = tuple(texts)
    with _LOCK:
        matrix = _VECTORS.get(key)
    if matrix is None:
        matrix = np.asarray(embedder.embed(list(texts)))
        with _LOCK:
            _VECTORS[key] = matrix
    return np.asarray(matrix @ np.asarray(embedder.embed([said]))[0])


def named(text: str) -> bool:
    """Whether a word is written as a name ("Nordics", "Ireland"): capitalised, not a word of a question typed in
    capitals ("BIG COMPANIES", "HOSPITALS & CLINICS" are common nouns shouted).
    """
    return text[:1].isupper() and not text.isupper()
