"""Analyzing many statements: a memo of facts per text, and counters of what parsed and what did not.

Query logs repeat themselves: a dashboard sends the same text every few minutes. ``Analyzer`` keeps
the facts of recent texts (least recently used first out), so each distinct text is parsed once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from metricmind.querylog.analyze import analyze
from metricmind.querylog.facts import QueryFacts

DEFAULT_SCHEMAS: dict[str, str] = {
    "duckdb": "main",
    "postgres": "public",
    "snowflake": "public",
    "databricks": "default",
    "spark": "default",
}
"""Schema of unqualified tables per dialect when the project does not say (``warehouse.schema``)."""


@dataclass
class AnalyzerStats:
    """Counters over everything an ``Analyzer`` has seen.

    Attributes:
        seen: Statements analyzed (cache hits included).
        parsed: Of those, statements that parsed.
        unparsed: Of those, statements kept with ``ok=False``.
        cache_hits: Statements answered from the memo.
    """

    seen: int = 0
    parsed: int = 0
    unparsed: int = 0
    cache_hits: int = 0


class Analyzer:
    """``analyze`` with a memo per ``(dialect, text)`` and counters.

    Args:
        default_schema: Schema for unqualified tables; ``None`` uses ``DEFAULT_SCHEMAS`` per dialect.
        cache_size: How many distinct texts to remember.
    """

    def __init__(self, default_schema: str | None = None, cache_size: int = 20_000) -> None:
        self.default_schema = default_schema
        self.cache_size = cache_size
        self.stats = AnalyzerStats()
        self._memo: OrderedDict[tuple[str, str], QueryFacts] = OrderedDict()

    def schema_for(self, dialect: str) -> str | None:
        """The schema unqualified tables belong to in ``dialect``."""
        return self.default_schema or DEFAULT_SCHEMAS.get(dialect)

    def analyze(self, sql: str, dialect: str = "duckdb") -> QueryFacts:
        """The facts of ``sql`` (from the memo when the same text was seen recently)."""
        key = (dialect, sql)
        facts = self._memo.get(key)
        self.stats.seen += 1
        if facts is not None:
            self._memo.move_to_end(key)
            self.stats.cache_hits += 1
        else:
            facts = analyze(sql, dialect, default_schema=self.schema_for(dialect))
            self._memo[key] = facts
            if len(self._memo) > self.cache_size:
                self._memo.popitem(last=False)
        if facts.ok:
            self.stats.parsed += 1
        else:
            self.stats.unparsed += 1
        return facts
