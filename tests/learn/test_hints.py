"""Optimizer hints at the SQL level: where the hint goes, that it parses back, that nothing else changes,
and the dialects that get no hint arm. (Execution on a real Spark: tests/warehouse/test_hints_spark.py.)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from metricmind import MetricQuery, Project
from metricmind.errors import MetricmindError
from metricmind.learn import hints
from metricmind.project.learning import ARMS, Learner


@pytest.fixture(scope="module")
def demo(demo_built: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = tmp_path_factory.mktemp("hints") / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns(".metricmind"))
    with Project.load(root) as project:
        yield project


def _hinted_selects(sql: str, dialect: str) -> dict[str, list[str]]:
    """For each hinted SELECT: the aliases of its joined relations → the aliases its hint names."""
    out: dict[str, list[str]] = {}
    for select in sqlglot.parse_one(sql, read=dialect).find_all(exp.Select):
        hint = select.args.get("hint")
        if hint is None:
            continue
        joined = ",".join(j.this.alias_or_name for j in select.args.get("joins") or [])
        out[joined] = [str(h.this) + ":" + h.expressions[0].name for h in hint.expressions]
    return out


@pytest.mark.parametrize("dialect", hints.DIALECTS)
def test_the_hint_names_the_joined_dimension_in_its_own_select(demo: Project, dialect: str) -> None:
    small = hints.small_relations(demo.model, dialect)
    assert "main.dim_customers_canonical" in small and "main.dim_users" in small
    assert "main.fct_user_events_canonical" not in small  # a fact nobody looks up
    query = MetricQuery.build("events", "user__customer__region")  # events → (users → customers)
    plain = demo.compile(query, dialect)
    hinted = hints.broadcast(plain, dialect, small)
    assert hinted is not None and hinted.broadcast == ("t1", "t2")
    # the outer SELECT broadcasts the users subquery it joins, the subquery broadcasts customers
    assert _hinted_selects(hinted.sql, dialect) == {"t1": ["BROADCAST:t1"], "t2": ["BROADCAST:t2"]}
    assert hinted.sql.count("/*+ BROADCAST(") == 2
    # it parses back for the dialect, and without its hints it is the plain query exactly
    assert hints.strip(hinted.sql, dialect) == hints.strip(plain, dialect)
    again = sqlglot.parse_one(hinted.sql, read=dialect)
    assert len(list(again.find_all(exp.Hint))) == 2 and again.sql(dialect, pretty=True) == hinted.sql
    assert hints.broadcast(hinted.sql, dialect, small) is not None  # an existing hint is kept and added to


def test_a_query_without_a_small_lookup_gets_no_hint(demo: Project) -> None:
    small = hints.small_relations(demo.model, "spark")
    assert (
        hints.broadcast(
            demo.compile(MetricQuery.build("events", "metric_time__month"), "spark"), "spark", small
        )
        is None
    )
    # known row counts decide over the entity rule: a big dimension is not broadcast, a small fact is
    rows = {"main.dim_customers_canonical": 50_000_000, "main.fct_user_events_canonical": 10}
    sized = hints.small_relations(demo.model, "spark", rows=rows)
    assert "main.dim_customers_canonical" not in sized and "main.fct_user_events_canonical" in sized
    sql = demo.compile(MetricQuery.build("invoice_revenue", "customer__segment"), "spark")
    assert hints.broadcast(sql, "spark", sized) is None
    assert hints.broadcast(sql, "spark", small) is not None


def test_only_joins_spark_can_broadcast_are_hinted() -> None:
    small = {"d"}
    for sql, want in (
        ("SELECT f.a, d.b FROM f LEFT JOIN d ON f.k = d.k", ("d",)),
        ("SELECT f.a, x.b FROM f JOIN d AS x ON f.k = x.k", ("x",)),
        ("SELECT f.a, d.b FROM f FULL OUTER JOIN d ON f.k = d.k", None),
        ("SELECT f.a, d.b FROM f RIGHT JOIN d ON f.k = d.k", None),
        ("SELECT f.a, g.b FROM f LEFT JOIN g ON f.k = g.k", None),
        ("SELECT f.a, s.b FROM f LEFT JOIN (SELECT k, b FROM d) AS s ON f.k = s.k", ("s",)),
        (
            "SELECT f.a, s.b FROM f LEFT JOIN (SELECT d.k, g.b FROM d JOIN g ON d.k = g.k) AS s ON f.k = s.k",
            None,
        ),
    ):
        got = hints.broadcast(sql, "spark", small, pretty=False)
        assert (got.broadcast if got else None) == want, sql
        if got:
            assert hints.strip(got.sql, "spark") == sqlglot.parse_one(sql, read="spark")


def test_text_in_the_query_stays_text() -> None:
    sql = "SELECT d.b FROM f LEFT JOIN d ON f.k = d.k WHERE f.note = '*/ DROP TABLE f; /*+ x'"
    got = hints.broadcast(sql, "spark", {"d"}, pretty=False)
    assert got is not None
    tree = sqlglot.parse_one(got.sql, read="spark")
    assert [lit.this for lit in tree.find_all(exp.Literal)] == ["*/ DROP TABLE f; /*+ x"]
    assert len(list(tree.find_all(exp.Hint))) == 1
    with pytest.raises(MetricmindError, match="cannot read"):
        hints.broadcast("SELECT FROM WHERE (", "spark", {"d"})


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "snowflake", "bigquery", "trino"])
def test_no_hint_arm_where_the_dialect_has_no_optimizer_hints(dialect: str) -> None:
    assert not hints.supported(dialect)
    with pytest.raises(MetricmindError, match="no optimizer hints"):
        hints.broadcast("SELECT d.b FROM f LEFT JOIN d ON f.k = d.k", dialect, {"d"})
    # sqlglot agrees: these dialects have no hint syntax, it drops one when rendering their SQL
    hinted = sqlglot.parse_one("SELECT /*+ BROADCAST(d) */ d.b FROM f LEFT JOIN d ON f.k = d.k", read="spark")
    assert "BROADCAST" not in hinted.sql(dialect)


def test_a_duckdb_project_has_no_hint_arm(demo: Project) -> None:
    learner = Learner(demo, seed=0)
    assert demo.dialect == "duckdb" and learner.arms == ARMS
    assert not any("optimization=hints" in a for a in learner.arms)
    query = MetricQuery.build("invoice_revenue", "customer__segment")
    assert learner.hinted(query) is None
    assert not any(p.hint for p in learner.offered(query, "p", "v1", False).values())
    learner.close()
