"""Question → metric query, offline: ``Resolver(model).resolve("MRR by region last quarter")``."""

from __future__ import annotations

from metricmind.resolve.lexicon import LEARNED_PATH, read_learned
from metricmind.resolve.resolution import Filter, Resolution, Span
from metricmind.resolve.resolver import MAX_QUESTION_CHARS, Resolver
from metricmind.resolve.vocabulary import VocabularyError, check_word, learned_tables

__all__ = [
    "LEARNED_PATH",
    "MAX_QUESTION_CHARS",
    "Filter",
    "Resolution",
    "Resolver",
    "Span",
    "VocabularyError",
    "check_word",
    "learned_tables",
    "read_learned",
]
