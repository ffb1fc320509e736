"""Property: whatever text arrives, the analyzer returns facts and never raises."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricmind.querylog import Analyzer, QueryFacts, analyze

CORPUS = [c["sql"] for c in yaml.safe_load(Path(__file__).with_name("corpus.yml").read_text())]
DIALECTS = ["duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino"]
WORDS = (
    "SELECT FROM WHERE GROUP BY ORDER HAVING JOIN LEFT RIGHT FULL CROSS ON USING AND OR NOT IN IS NULL "
    "WITH AS UNION ALL INSERT INTO VALUES CASE WHEN THEN ELSE END OVER PARTITION DATE_TRUNC SUM COUNT "
    "DISTINCT ( ) , . * = <> < > + - / ; ' \" ` $1 ? 42 3.14 'x' orders o customers c amount id "
    "date_trunc('month', d) EXTRACT year QUALIFY LIMIT UNNEST LATERAL RECURSIVE"
).split()

token_soup = st.lists(st.sampled_from(WORDS), min_size=0, max_size=40).map(" ".join)


@st.composite
def mutated_corpus(draw: st.DrawFn) -> str:
    """A corpus query cut, spliced and sprinkled with junk."""
    sql = draw(st.sampled_from(CORPUS))
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(sql)))
        j = draw(st.integers(i, min(len(sql), i + 30)))
        junk = draw(st.one_of(st.text(max_size=8), st.sampled_from(WORDS)))
        sql = sql[:i] + junk + sql[j:]
    return sql


sql_like = st.one_of(st.text(max_size=200), token_soup, mutated_corpus())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sql=sql_like, dialect=st.sampled_from(DIALECTS))
def test_analyzer_never_raises(sql: str, dialect: str) -> None:
    facts = analyze(sql, dialect, default_schema="main")
    assert isinstance(facts, QueryFacts)
    assert len(facts.fingerprint) == 16
    assert facts.ok or facts.error
    assert QueryFacts.from_dict(facts.to_dict()) == facts


@settings(max_examples=100, deadline=None)
@given(batch=st.lists(sql_like, max_size=20))
def test_analyzer_counts_every_statement(batch: list[str]) -> None:
    analyzer = Analyzer("main", cache_size=8)
    results = [analyzer.analyze(sql, "duckdb") for sql in batch]
    assert analyzer.stats.seen == len(batch)
    assert analyzer.stats.parsed + analyzer.stats.unparsed == len(batch)
    assert analyzer.stats.unparsed == sum(not f.ok for f in results)


def test_final_order_and_limit_are_presentation_not_pattern(shop: object) -> None:
    """The same metric query from the UI (sorted, limited) and from curl is one query pattern."""
    import sqlglot

    from metricmind.querylog.fingerprint import fingerprint
    from metricmind.spec.query import MetricQuery

    plain = shop.compile(MetricQuery.build("revenue", ["metric_time__month", "customer__segment"]))  # type: ignore[attr-defined]
    shown = shop.compile(  # type: ignore[attr-defined]
        MetricQuery.build(
            "revenue", ["metric_time__month", "customer__segment"], order_by=["-revenue"], limit=500
        )
    )
    assert (
        fingerprint(sqlglot.parse(plain, read="duckdb"), "duckdb")[0]
        == fingerprint(sqlglot.parse(shown, read="duckdb"), "duckdb")[0]
    )
    inner = "SELECT a FROM (SELECT a FROM t ORDER BY a LIMIT 3) AS s"
    assert (
        fingerprint(sqlglot.parse(inner), "duckdb")[0]
        != fingerprint(sqlglot.parse("SELECT a FROM (SELECT a FROM t) AS s"), "duckdb")[0]
    )  # a LIMIT inside changes what is computed
