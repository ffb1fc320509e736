"""The analyzer over a corpus of real-world SQL shapes (tests/querylog/corpus.yml)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from metricmind.querylog import QueryFacts, analyze

CORPUS = yaml.safe_load((Path(__file__).with_name("corpus.yml")).read_text())
DIALECTS = {case["dialect"] for case in CORPUS}


def _key(ref: Any) -> str | None:
    return None if ref is None else ref.key


def actual(facts: QueryFacts, field: str) -> Any:
    """The facts in the corpus's compact notation."""
    if field == "joins":
        return {(j.left, j.right, j.kind) for j in facts.joins}
    if field == "aggregates":
        return {(a.func, a.expr, a.table) for a in facts.aggregates}
    if field == "dimensions":
        return {(_key(d.column), d.grain) for d in facts.dimensions}
    if field == "filters":
        return {(_key(f.column), f.op, tuple(f.values)) for f in facts.filters}
    if field in ("tables", "writes", "windows"):
        return set(getattr(facts, field))
    return getattr(facts, field)


def expected(field: str, value: Any) -> Any:
    if field in ("joins", "aggregates", "dimensions"):
        return {tuple(v) for v in value}
    if field == "filters":
        return {(c, op, tuple(vals)) for c, op, vals in value}
    if field in ("tables", "writes", "windows"):
        return set(value)
    return value


@pytest.mark.parametrize("case", CORPUS, ids=[c["name"] for c in CORPUS])
def test_corpus_case(case: dict[str, Any]) -> None:
    facts = analyze(case["sql"], case["dialect"], default_schema=case.get("default_schema", "main"))
    expect = case["expect"]
    assert facts.ok is expect.get("ok", True), facts.error
    for field, value in expect.items():
        if field == "ok":
            continue
        assert actual(facts, field) == expected(field, value), f"{case['name']}: {field}"


def test_corpus_covers_every_supported_dialect() -> None:
    assert {"duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino"} <= DIALECTS


def test_facts_round_trip_through_json() -> None:
    for case in CORPUS:
        facts = analyze(case["sql"], case["dialect"], default_schema="main")
        assert QueryFacts.from_dict(facts.to_dict()) == facts


def test_unparsed_statements_keep_text_and_a_fingerprint() -> None:
    facts = analyze("SELEC * FROM orders WHERE id = 42", "duckdb")
    assert not facts.ok and facts.error
    assert facts.sql == "SELEC * FROM orders WHERE id = 42"
    assert facts.fingerprint == analyze("selec *  from orders where id = 7", "duckdb").fingerprint
    assert len(facts.fingerprint) == 16


def test_fingerprint_masks_literals_but_keeps_structure() -> None:
    base = analyze("SELECT SUM(amount) FROM orders WHERE status = 'paid' AND id IN (1, 2)", "duckdb")
    same = analyze("select sum(amount)\nfrom orders -- note\nwhere status = 'open' and id in (9)", "duckdb")
    other_grain = analyze("SELECT date_trunc('month', d), SUM(amount) FROM orders GROUP BY 1", "duckdb")
    other_grain2 = analyze("SELECT date_trunc('week', d), SUM(amount) FROM orders GROUP BY 1", "duckdb")
    assert base.fingerprint == same.fingerprint
    assert other_grain.fingerprint != other_grain2.fingerprint
    assert "?" in base.normalized and "paid" not in base.normalized


def test_compiled_sql_of_every_shop_metric_is_analyzed(shop: Any) -> None:
    from metricmind.spec.query import MetricQuery

    for metric in shop.metrics():
        sql = shop.compile(MetricQuery.build(metric.name, ["metric_time__month"]), "duckdb")
        facts = analyze(sql, "duckdb", default_schema="main")
        assert facts.ok, (metric.name, facts.error)
        assert facts.tables and all(t.startswith("main.") for t in facts.tables)
        assert facts.grain in ("month", "day", None), metric.name
