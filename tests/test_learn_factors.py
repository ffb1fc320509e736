"""The join-path, skill and materialization factors on the demo: real plans, equal rows, or no arm."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from metricmind import MetricQuery, Project
from metricmind.errors import MetricmindError
from metricmind.learn.joinpath import CANONICAL, SHORTEST, variants
from metricmind.learn.materialize import KINDS, read, simulate_nights, statements
from metricmind.learn.policy import query_arm
from metricmind.learn.safety import same_answer
from metricmind.learn.simulate import load_table
from metricmind.project.learning import Learner

LONG = MetricQuery.build("invoice_revenue", ["metric_time__month", "subscription__customer__segment"])


@pytest.fixture
def demo(demo_built: Path, tmp_path: Path) -> Iterator[Project]:
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(root)
    yield project
    project.close()


def test_a_longer_join_path_has_a_shortest_reading_with_equal_rows(demo: Project) -> None:
    found = variants(demo.model, demo.graph, LONG)
    assert [v.label for v in found] == [CANONICAL, SHORTEST]
    short = found[1]
    assert short.query.group_by == ("metric_time__month", "customer__segment") and short.hops == 1
    plain = demo._run_plain(LONG)
    got = demo.warehouse.run(demo.compile(short.query))
    assert short.columns(got.columns) == plain.columns
    assert plain.rows and same_answer(plain.rows, got.rows)
    # already the shortest, a time dimension, or overlapping groups: nothing else is offered
    for query in (
        MetricQuery.build("invoice_revenue", "customer__segment"),
        MetricQuery.build("invoice_revenue", "metric_time__month"),
        MetricQuery.build("invoice_revenue", "subscription__customer__segment", allow_overlap=True),
        MetricQuery(("invoice_revenue",), ("no such name!",)),
    ):
        assert [v.label for v in variants(demo.model, demo.graph, query)] == [CANONICAL]


def test_the_learned_path_serves_join_and_skill_plans_with_the_plain_rows(demo: Project) -> None:
    learner = Learner(demo, seed=2)
    assert learner.memory is not None
    learner.policy.epsilon = 1.0  # explore every allowed arm
    plain = demo._run_plain(LONG)
    served = set()
    for _ in range(12):
        answer = learner.serve(LONG)
        served.add(answer.served)
        assert answer.result.columns == plain.columns and same_answer(plain.rows, answer.result.rows)
    assert "join" in served
    learner.flush()
    assert learner.memory.consolidate() >= 1
    learner._read_skills()
    offered = learner.offered(LONG, _pattern(LONG), "v1", False)
    assert query_arm("best_match") in offered and offered[query_arm("best_match")].sql
    learner.cache.clear()
    for _ in range(20):
        answer = learner.serve(LONG)
        served.add(answer.served)
        assert answer.result.columns == plain.columns and same_answer(plain.rows, answer.result.rows)
    assert "skill" in served and not learner.guard.banned
    # a changed model: no skill plan is current any more
    learner.model = "another-model"
    learner._read_skills()
    assert not any(p.sql for p in learner.offered(LONG, _pattern(LONG), "v1", False).values())
    learner.close()


def test_a_bad_name_gets_the_plain_plans_error_through_the_learned_path(demo: Project) -> None:
    learner = Learner(demo)
    with pytest.raises(MetricmindError):
        learner.serve(MetricQuery(("invoice_revenue",), ("no_such__dimension",)))
    learner.close()


def _pattern(query: MetricQuery) -> str:
    from metricmind.project.learning import pattern_of

    return pattern_of(query)


def test_materializations_keep_the_same_rows(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(
        "CREATE TABLE f AS SELECT DATE '2025-01-01' + (i % 60) * INTERVAL 1 DAY AS d, i % 7 AS v FROM range(1000) t(i)"
    )
    source = 'SELECT CAST(d AS DATE) AS "metric_time__day", SUM(v) AS m FROM f GROUP BY 1'
    query = "SELECT DATE_TRUNC('month', \"metric_time__day\") AS mo, SUM(m) FROM roll GROUP BY 1"
    want = con.execute(f"WITH roll AS ({source}) {query}").fetchall()
    for kind in KINDS:
        for old in ("VIEW", "TABLE"):  # a nightly build writes a new generation: nothing of another kind
            try:
                con.execute(f"DROP {old} IF EXISTS roll")
            except duckdb.Error:
                pass
        if kind == "incremental":
            for sql in statements("table", "roll", source):
                con.execute(sql)
            con.execute("INSERT INTO f VALUES (DATE '2025-03-01', 100)")  # new data after the cut
            want = con.execute(f"WITH roll AS ({source}) {query}").fetchall()
        for sql in statements(kind, "roll", source, cut="2025-02-25" if kind == "incremental" else None):
            con.execute(sql)
        assert same_answer(want, con.execute(read(kind, "roll", source, query)).fetchall()), kind
    with pytest.raises(ValueError, match="unknown materialization"):
        statements("index", "roll", source)
    with pytest.raises(ValueError):
        statements("incremental", "roll", source, cut="2025-01-01'; DROP TABLE f; --")
    con.close()


def test_the_nightly_materialization_policy_learns_from_measured_ways() -> None:
    result = simulate_nights(load_table(), seed=0)
    assert result["rollups"] >= 50
    assert result["reward"] >= 0.9 * result["oracle_reward"]
    assert result["reward"] > result["random_reward"]
