"""Optimizer hints on a real local Spark: the hinted plan returns the plain plan's rows, Spark uses the
hint, and the learned path serves the hint arm on a Spark project (verified against the plain plan).

In ``tests/warehouse`` to share the one Spark Connect server of the test session (its xdist group).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
import yaml

from metricmind.learn import hints
from metricmind.learn.policy import query_arm
from metricmind.learn.safety import same_answer
from metricmind.project import Project
from metricmind.project.learning import HINT_ARMS, Learner
from metricmind.spec.query import MetricQuery
from metricmind.warehouse.spark import SparkWarehouse
from tests.warehouse.conftest import SparkDemo

pytestmark = pytest.mark.slow

QUERIES = [
    MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"]),
    MetricQuery.build("events", "user__customer__region"),  # a lookup through a subquery (two hops)
    MetricQuery.build("arpa", ["metric_time__month", "customer__segment"]),  # a snapshot's lookup
]


@pytest.fixture(scope="module")
def duck(spark_demo: SparkDemo) -> Iterator[Project]:
    with Project.load(spark_demo.project_dir) as project:
        yield project


@pytest.fixture(scope="module")
def no_auto_broadcast(spark_demo: SparkDemo) -> Iterator[SparkWarehouse]:
    """A session of its own where Spark never broadcasts on its own: a broadcast join is the hint's."""
    conf = {"spark.sql.autoBroadcastJoinThreshold": "-1"}
    with SparkWarehouse(spark_demo.url, read_only=True, conf=conf) as wh:
        yield wh


def _plan(spark: SparkWarehouse, sql: str) -> str:
    return "\n".join(str(r[0]) for r in spark.run(f"EXPLAIN {sql}").rows)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: ",".join(q.metrics + q.group_by))
def test_the_hinted_plan_returns_the_same_rows_and_spark_broadcasts(
    query: MetricQuery, duck: Project, no_auto_broadcast: SparkWarehouse
) -> None:
    plain_sql = duck.compile(query, "spark")
    hinted = hints.broadcast(plain_sql, "spark", hints.small_relations(duck.model, "spark"))
    assert hinted is not None and "/*+ BROADCAST(" in hinted.sql
    plain = no_auto_broadcast.run(plain_sql)
    got = no_auto_broadcast.run(hinted.sql)
    assert plain.rows, "a comparison over no rows proves nothing"
    assert got.columns == plain.columns and same_answer(plain.rows, got.rows)
    before, after = _plan(no_auto_broadcast, plain_sql), _plan(no_auto_broadcast, hinted.sql)
    assert "BroadcastHashJoin" not in before and "SortMergeJoin" in before
    assert "BroadcastHashJoin" in after
    # each lookup the hint names is a broadcast join now, in place of a sort-merge join (other joins,
    # such as a snapshot's join to its complete days, stay as Spark planned them)
    named = len(hinted.broadcast)
    assert after.count("BroadcastHashJoin") == named
    assert after.count("SortMergeJoin") == before.count("SortMergeJoin") - named


@pytest.fixture(scope="module")
def spark_project(spark_demo: SparkDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """The demo as a Spark project (its warehouse the Spark Connect server), learning on."""
    root = tmp_path_factory.mktemp("hints") / "demo"
    shutil.copytree(spark_demo.project_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    settings_file = root / "metricmind.yml"
    settings = yaml.safe_load(settings_file.read_text())
    settings["warehouse"] = {"type": "spark", "url": spark_demo.url, "schema": "main"}
    settings.pop("govern", None)  # its as_of reads the DuckDB-only raw schema
    settings_file.write_text(yaml.safe_dump(settings))
    with Project.load(root) as project:
        yield project


def test_the_learned_path_offers_and_serves_the_hint_arm_on_spark(spark_project: Project) -> None:
    assert spark_project.dialect == "spark"
    learner = Learner(spark_project, seed=4)
    assert learner.arms[-len(HINT_ARMS) :] == HINT_ARMS
    query = MetricQuery.build("invoice_revenue", ["metric_time__month", "subscription__customer__segment"])
    offered = learner.offered(query, "p", None, False)
    assert (
        query_arm(optimization="hints") in offered
        and query_arm(join_path="shortest", optimization="hints") in offered
    )
    assert "BROADCAST(" in (offered[query_arm(optimization="hints")].sql or "")
    learner.policy.epsilon = 1.0  # explore every allowed arm
    plain = spark_project._run_plain(query)
    served: list[str] = []
    for _ in range(10):
        answer = learner.serve(query)
        served.append(answer.served)
        assert answer.result.columns == plain.columns and same_answer(plain.rows, answer.result.rows)
    assert "hints" in served and not learner.guard.banned
    assert learner.counts["verified"] >= served.count("hints") + served.count("join")  # every one checked
    learner.flush()
    assert learner.memory is not None
    actions = [e["action"] for e in learner.memory.episodes(50)]
    assert any(a.get("optimization") == "hints" and a.get("served") == "hints" for a in actions)
    learner.close()


def test_a_hinted_plan_the_warehouse_refuses_bans_the_arm_and_serves_the_plain_answer(
    spark_project: Project,
) -> None:
    learner = Learner(spark_project, seed=5)
    query = MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"])
    arm = query_arm(optimization="hints")
    # a plan Spark refuses (a relation it does not have), in place of the hinted one
    learner._hinted[query] = (
        "SELECT /*+ BROADCAST(t1) */ * FROM main.no_such AS t0 JOIN main.dim_users AS t1 ON 1 = 1"
    )
    for other in learner.arms:  # leave the policy the plain arm and the hint arm
        if other not in (arm, learner.guard.plain):
            learner.guard.banned[other] = "left out by the test"
    learner.policy.epsilon = 1.0
    plain = spark_project._run_plain(query)
    for _ in range(12):
        answer = learner.serve(query)
        assert same_answer(plain.rows, answer.result.rows)
        if answer.banned:
            break
    assert answer.banned and answer.served == "plain"
    assert "no_such" in learner.guard.banned[arm]
    assert arm not in learner.guard.allowed(list(learner.offered(query, "p", None, False)))
    learner.close()
