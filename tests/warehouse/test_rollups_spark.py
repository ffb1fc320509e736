"""The learner's rollups and result cache on a real local Spark: a data version from the tables' files,
rollups as Parquet tables in a database the learner owns, routed only when they answer exactly (the
plain plan's rows), never read once a source changed, dropped when no longer wanted; and the learned
path serving cache and rollup answers (verified against the plain plan).

In ``tests/warehouse`` to share the one Spark Connect server of the test session (its xdist group).
The demo's tables are copied into a database of this module's own (rows are appended to one of them).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from metricmind import MetricQuery, Project
from metricmind.learn.rollup import RollupSpec, spec_for
from metricmind.learn.safety import same_answer
from metricmind.project.learning import Learner
from metricmind.project.rollups import RollupStore, data_version
from metricmind.warehouse.spark import SparkWarehouse
from tests.warehouse.conftest import SparkDemo

pytestmark = pytest.mark.slow

SOURCE = "learn_spark_src"
ROLLUPS = "learn_spark_rollups"
INVOICES = f"{SOURCE}.fct_invoices_canonical"
SEG = "{{ Dimension('customer__segment') }} = 'Enterprise'"
b = MetricQuery.build
ADDITIVE = [
    b("invoice_revenue", "metric_time__month"),
    b("invoice_revenue", ["metric_time__year", "customer__segment"]),  # coarser grain, fewer dims
    b("invoice_revenue", "metric_time__quarter", where=SEG),  # a filter on a rollup dimension
    b("invoice_revenue", "metric_time__month", start="2025-02-10", end="2025-08-20"),  # a range
    b("invoice_revenue"),  # no group-by at all
    b("invoice_count", ["customer__segment", "metric_time__month"], order_by="-invoice_count"),
]
DISTINCT = b("new_customers", "metric_time__month")  # count distinct: only its exact shape


@dataclass
class SparkProject:
    project: Project
    writer: SparkWarehouse


@pytest.fixture(scope="module")
def spark_src(spark_demo: SparkDemo, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkProject]:
    """The demo as a Spark project reading its own copy of the tables, rollups in :data:`ROLLUPS`."""
    writer = SparkWarehouse(spark_demo.url)
    writer.run(f"CREATE DATABASE IF NOT EXISTS {SOURCE}")
    for qualified in spark_demo.tables:
        name = qualified.split(".", 1)[1]
        writer.run(f"DROP TABLE IF EXISTS {SOURCE}.{name}")
        writer.run(f"CREATE TABLE {SOURCE}.{name} USING parquet AS SELECT * FROM {qualified}")
    root = tmp_path_factory.mktemp("spark_rollups") / "demo"
    shutil.copytree(spark_demo.project_dir, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
    (root / "metricmind.yml").write_text(
        f"name: saas_demo\nwarehouse:\n  type: spark\n  url: {spark_demo.url}\n  schema: {SOURCE}\n"
        f"learn:\n  rollups_schema: {ROLLUPS}\n"
    )
    with Project.load(root) as project:
        yield SparkProject(project, writer)
        RollupStore(project.state_dir / "rollups").drop_all(project)
    writer.run(f"DROP DATABASE IF EXISTS {SOURCE} CASCADE")
    writer.run(f"DROP DATABASE IF EXISTS {ROLLUPS} CASCADE")
    writer.close()


def specs(project: Project, queries: list[MetricQuery]) -> list[RollupSpec]:
    found = (spec_for(project.model, q, project.dialect) for q in queries)
    return list(dict.fromkeys(s for s in found if s))


def relations(writer: SparkWarehouse) -> list[str]:
    return sorted(
        str(r[1]) for r in writer.run(f"SHOW TABLES IN {ROLLUPS}").rows if str(r[1]).startswith("r_")
    )


def routed_rows_equal_plain(project: Project, store: RollupStore, query: MetricQuery) -> bool:
    found = store.find(project, query, data_version(project))
    assert found is not None, f"{query.to_dict()} is not routed"
    assert f"`{ROLLUPS}`." in found[1]
    plain = project._run_plain(query)
    got = store.run(found[1])
    assert plain.rows, "a comparison over no rows proves nothing"
    return got.columns == plain.columns and same_answer(plain.rows, got.rows)


def test_the_data_version_is_the_tables_files(spark_src: SparkProject) -> None:
    project = spark_src.project
    version = data_version(project)
    assert version is not None and version.startswith("spark:")
    assert data_version(project) == version  # nothing changed: the same version
    # a relation that is not file-based (a temporary view of literal rows) has no version
    spark = project.warehouse
    assert isinstance(spark, SparkWarehouse)
    spark._spark().sql("CREATE OR REPLACE TEMPORARY VIEW mm_rows AS SELECT 1 AS a").collect()
    assert spark.data_version(["mm_rows"]) is None
    assert spark.data_version(["mm_rows"], exact=True) is None
    exact = spark.data_version([INVOICES], exact=True)
    assert exact is not None and exact != spark.data_version([INVOICES])


def test_rollups_are_built_in_spark_and_answer_exactly(spark_src: SparkProject) -> None:
    project, writer = spark_src.project, spark_src.writer
    store = RollupStore(project.state_dir / "rollups")
    wanted = specs(project, [ADDITIVE[0], ADDITIVE[1], ADDITIVE[5], DISTINCT])
    report = store.build(project, wanted, kind="table")
    assert not report["failed"] and report["rollups"] == len(wanted) == len(report["built"])
    assert relations(writer) == sorted(report["built"])
    for query in [*ADDITIVE, DISTINCT]:
        assert routed_rows_equal_plain(project, store, query), query.to_dict()
    version = data_version(project)
    # what a rollup cannot answer exactly is not routed: count distinct at another grain or by more
    assert store.find(project, b("new_customers", "metric_time__quarter"), version) is None
    assert (
        store.find(project, b("new_customers", ["metric_time__month", "customer__segment"]), version) is None
    )
    # nor a limit (ties make the kept rows arbitrary), nor a dimension the rollup does not have
    assert store.find(project, b("invoice_revenue", "metric_time__month", limit=3), version) is None
    assert store.find(project, b("invoice_revenue", "customer__region"), version) is None
    # the next night keeps what is current and drops what is no longer wanted
    again = store.build(project, wanted[:1], kind="table")
    assert again["kept"] == [report["built"][0]] and not again["built"]
    assert relations(writer) == [report["built"][0]]


def test_the_learned_path_serves_cache_and_rollup_answers_on_spark(spark_src: SparkProject) -> None:
    project = spark_src.project
    store = RollupStore(project.state_dir / "rollups")
    store.build(project, specs(project, [ADDITIVE[0], ADDITIVE[1]]), kind="table")
    learner = Learner(project, rollups=store, seed=3)
    learner.policy.epsilon = 1.0  # explore every allowed arm
    plains = {q: project._run_plain(q) for q in ADDITIVE[:3]}
    served: list[str] = []
    for _ in range(4):
        for query, plain in plains.items():
            answer = learner.serve(query)
            served.append(answer.served)
            assert answer.result.columns == plain.columns and same_answer(plain.rows, answer.result.rows)
    assert "cache" in served and "rollup" in served, served
    assert not learner.guard.banned and learner.counts["verified"] >= 1
    learner.flush()
    assert learner.memory is not None
    actions = [e["action"] for e in learner.memory.episodes(50)]
    assert {"cache", "rollup"} <= {a.get("served") for a in actions}
    learner.close()


def test_a_source_change_leaves_no_stale_answer(spark_src: SparkProject) -> None:
    """Runs last: it appends rows to the module's copy of the invoices."""
    project, writer = spark_src.project, spark_src.writer
    store = RollupStore(project.state_dir / "rollups")
    query = ADDITIVE[0]
    store.build(project, specs(project, [query]), kind="table")
    learner = Learner(project, rollups=store, seed=1)
    before = project._run_plain(query)
    learner.cache.put(learner.cache_key(query), data_version(project), before.columns, before.rows, 0.0)
    old = data_version(project)
    assert store.find(project, query, old) is not None and learner.cache.peek(learner.cache_key(query), old)
    # append invoices: every month's revenue they fall in grows
    writer.run(f"INSERT INTO {INVOICES} SELECT * FROM {INVOICES} ORDER BY 1 LIMIT 40")
    spark = project.warehouse
    assert isinstance(spark, SparkWarehouse)
    spark._spark().catalog.refreshTable(INVOICES)  # the reader's session sees the new files
    after = project._run_plain(query)
    assert not same_answer(before.rows, after.rows)
    new = data_version(project)
    assert new is not None and new != old
    assert store.find(project, query, new) is None and store.stale(project) == 1
    assert not learner.cache.peek(learner.cache_key(query), new)
    learner.policy.epsilon = 1.0
    for _ in range(6):
        answer = learner.serve(query)
        assert answer.served != "rollup"
        assert same_answer(after.rows, answer.result.rows)
    # the next night rebuilds it on the new data
    report = store.build(project, specs(project, [query]), kind="table")
    assert report["built"] and not report["kept"]
    assert routed_rows_equal_plain(project, store, query)
    learner.close()
