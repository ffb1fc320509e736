"""``analyze(sql, dialect)``: one statement's text → ``QueryFacts``. Never raises.

>>> facts = analyze(
...     "SELECT date_trunc('month', o.ordered_at) AS m, SUM(o.amount) FROM main.orders AS o "
...     "JOIN customers c ON c.customer_id = o.customer_id WHERE c.segment = 'SMB' GROUP BY 1",
...     "duckdb", default_schema="main")
>>> facts.tables, facts.grain, [(a.func, a.expr) for a in facts.aggregates]
(('main.customers', 'main.orders'), 'month', [('sum', 'amount')])

The statement is read by ``Collector`` (``collector``; joins in ``joins``, aggregates and group-by items
in ``aggregates``); this module guards it: too long, too complex, unparseable or unsupported texts give
``ok=False`` with the reason.
"""

from __future__ import annotations

import logging
import re

import sqlglot
from sqlglot import exp

from metricmind.querylog.collector import Collector
from metricmind.querylog.facts import QueryFacts
from metricmind.querylog.fingerprint import fingerprint, fingerprint_text
from metricmind.querylog.resolve import Resolver, sql_text

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


class _QuietCommandFallback(logging.Filter):
    """Drop sqlglot's warning for statements it keeps as raw commands: we count them instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "falling back to parsing as a 'Command'" not in record.getMessage()


logging.getLogger("sqlglot").addFilter(_QuietCommandFallback())


MAX_CHARS = 100_000
"""Longest statement text analyzed; a longer one is kept with ``ok=False`` (not parsed at all)."""
MAX_NODES = 10_000
"""Most syntax nodes analyzed in one text: scope analysis grows faster than linearly with huge ``OR``
chains (2,000 terms: 0.7 s, 9,000: 15 s), so a larger tree is kept with ``ok=False``."""


def analyze(
    sql: str,
    dialect: str = "duckdb",
    *,
    default_schema: str | None = None,
    max_chars: int = MAX_CHARS,
    max_nodes: int = MAX_NODES,
) -> QueryFacts:
    """The usage facts of ``sql`` read in ``dialect``; unparseable text gives ``ok=False``, never an error.

    Args:
        sql: One or more statements.
        dialect: sqlglot dialect name (duckdb, postgres, snowflake, bigquery, databricks, spark, trino…).
        default_schema: Schema of unqualified tables (``main`` for DuckDB, ``public`` for PostgreSQL).
        max_chars: Longer texts are not parsed (``ok=False``, "too long to analyze").
        max_nodes: Texts whose syntax trees have more nodes are not analyzed (``ok=False``, "too complex").
    """
    if len(sql) > max_chars:  # fingerprinted on its head: masking megabytes of text costs seconds too
        fp, normalized = fingerprint_text(sql[:max_chars], dialect)
        error = f"too long to analyze: {len(sql):,} characters (at most {max_chars:,})"
        return QueryFacts(sql, dialect, False, fp, normalized, error)
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except Exception as exc:
        return _unparsed(sql, dialect, f"{type(exc).__name__}: {_short(exc)}")
    if not statements:
        return _unparsed(sql, dialect, "no statement")
    if _too_big(statements, max_nodes):
        return _unparsed(sql, dialect, f"too complex to analyze: more than {max_nodes:,} syntax nodes")
    if all(isinstance(s, exp.Command) for s in statements):
        return _unparsed(sql, dialect, "unsupported statement: " + _short(sql_text(statements[0], dialect)))
    try:
        fp, normalized = fingerprint(statements, dialect)
    except Exception:
        fp, normalized = fingerprint_text(sql, dialect)
    try:
        collector = Collector(Resolver(default_schema), dialect)
        for statement in statements:
            collector.statement(statement)
        return collector.facts(sql, fp, normalized)
    except Exception as exc:
        return QueryFacts(sql, dialect, False, fp, normalized, f"analysis failed: {type(exc).__name__}")


def _too_big(statements: list[exp.Expr], limit: int) -> bool:
    """True when the statements have more than ``limit`` nodes together (stops counting there)."""
    count = 0
    for statement in statements:
        for _ in statement.walk():
            count += 1
            if count > limit:
                return True
    return False


def _unparsed(sql: str, dialect: str, error: str) -> QueryFacts:
    fp, normalized = fingerprint_text(sql, dialect)
    return QueryFacts(sql, dialect, False, fp, normalized, error)


def _short(value: object, width: int = 200) -> str:
    text = " ".join(_ANSI.sub("", str(value)).split())
    return text if len(text) <= width else text[: width - 1] + "…"
