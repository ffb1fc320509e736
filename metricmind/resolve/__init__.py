"""Question → metric query, offline: ``Resolver(model).resolve("MRR by region last quarter")``."""

from __future__ import annotations

from metricmind.resolve.lexicon import LEARNED_PATH, add_synonym, read_learned
from metricmind.resolve.resolution import Filter, Resolution, Span
from metricmind.resolve.resolver import Resolver

__all__ = ["LEARNED_PATH", "Filter", "Resolution", "Resolver", "Span", "add_synonym", "read_learned"]
