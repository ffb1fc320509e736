"""Learned rollups in a real PostgreSQL warehouse: schema-qualified tables the learner owns, routed only
when they answer exactly (the plain plan's rows), never read stale, dropped when no longer wanted; and
the materialization policy's choice (table, incremental, view, ephemeral) wired into the build."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from metricmind import MetricQuery, Project
from metricmind.learn.rollup import RollupSpec, spec_for
from metricmind.learn.safety import same_answer
from metricmind.project.learning import ROLLUP, Learner
from metricmind.project.rollups import RollupStore, data_version
from metricmind.testing.postgres import PostgresServer

SCHEMA = "learned_rollups"
SEG = "{{ Dimension('customer__segment') }} = 'Enterprise'"
INVOICES = "main.fct_invoices_canonical"


@pytest.fixture
def pg_demo(
    demo_built: Path, postgres_server: PostgresServer, tmp_path: Path
) -> Iterator[tuple[Project, str]]:
    """The small demo copied into a fresh PostgreSQL database, rollups in :data:`SCHEMA`."""
    from metricmind.testing.postgres import copy_duckdb_to_postgres

    name = f"rollups_{tmp_path.name[-12:].lower().replace('-', '_')}"
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    postgres_server.psql("postgres", f"CREATE DATABASE {name}")
    url = postgres_server.dsn(name)
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
    snapshot = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_built / "target" / "warehouse.duckdb", snapshot)
    copy_duckdb_to_postgres(snapshot, url)
    (root / "metricmind.yml").write_text(
        f"name: saas_demo\nwarehouse:\n  type: postgres\n  dsn: {url}\n  schema: main\n"
        f"learn:\n  rollups_schema: {SCHEMA}\n"
    )
    with Project.load(root) as project:
        yield project, name
    postgres_server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def relations(server: PostgresServer, db: str) -> list[str]:
    """The learner's relations in the rollup schema (``r_…``), sorted."""
    out = server.psql(
        db,
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = '{SCHEMA}' AND c.relname LIKE 'r\\_%' ORDER BY 1",
    )
    return [line.strip() for line in str(out).splitlines() if line.strip()]


def triggers(server: PostgresServer, db: str) -> list[str]:
    out = server.psql(
        db,
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'metricmind_rollup_version' ORDER BY 1",
    )
    return [line.strip() for line in str(out).splitlines() if line.strip()]


def queries() -> list[MetricQuery]:
    b = MetricQuery.build
    return [
        b("invoice_revenue", "metric_time__month"),
        b("invoice_revenue", ["metric_time__year", "customer__segment"]),
        b("invoice_revenue", "metric_time__week"),
        b("invoice_revenue"),
        b("invoice_revenue", "metric_time__quarter", where=SEG),
        b("invoice_revenue", "metric_time__month", start="2025-02-10", end="2025-08-20"),
        b("invoice_count", ["customer__segment", "metric_time__month"], order_by="-invoice_count"),
        b("signups", "metric_time__day"),
        b("new_customers", "metric_time__month"),  # count distinct: only its exact shape
    ]


def specs(project: Project) -> list[RollupSpec]:
    return list(
        dict.fromkeys(s for s in (spec_for(project.model, q, project.dialect) for q in queries()) if s)
    )


def check_routes(project: Project, store: RollupStore, wanted: list[MetricQuery]) -> int:
    """Every query of ``wanted`` that routes gives the plain plan's rows and columns; how many routed."""
    routed = 0
    for query in wanted:
        found = store.find(project, query, data_version(project))
        if found is None:
            continue
        routed += 1
        assert f'"{SCHEMA}".' in found[1]
        plain = project._run_plain(query)
        got = store.run(found[1])
        assert same_answer(plain.rows, got.rows), query
        assert got.columns == plain.columns
    return routed


def test_rollups_are_built_in_the_warehouse_and_answer_exactly(
    pg_demo: tuple[Project, str], postgres_server: PostgresServer
) -> None:
    project, db = pg_demo
    store = RollupStore(project.state_dir / "rollups")
    wanted = specs(project)
    report = store.build(project, wanted, kind="table")
    assert not report["failed"] and report["rollups"] == len(wanted) == len(report["built"])
    assert relations(postgres_server, db) == sorted(report["built"])
    assert "fct_invoices_canonical" in triggers(postgres_server, db)
    assert check_routes(project, store, queries()) == len(queries())
    # what a rollup cannot answer exactly is not routed
    version = data_version(project)
    assert store.find(project, MetricQuery.build("new_customers", "metric_time__year"), version) is None
    assert store.find(project, MetricQuery.build("signups", "metric_time__month", limit=3), version) is None
    # the learned path serves from them, verified against the plain plan
    learner = Learner(project, rollups=store, seed=2)
    learner.policy.epsilon = 0.0
    learner.policy.theta[learner.policy.index[ROLLUP], -1] = 1000.0
    answer = learner.serve(queries()[1])
    assert answer.served == "rollup" and not answer.banned
    assert same_answer(answer.result.rows, project._run_plain(queries()[1]).rows)
    learner.close()


def test_a_changed_source_is_never_read_then_rebuilt_and_unwanted_rollups_are_dropped(
    pg_demo: tuple[Project, str], postgres_server: PostgresServer
) -> None:
    project, db = pg_demo
    store = RollupStore(project.state_dir / "rollups")
    revenue = MetricQuery.build("invoice_revenue", "metric_time__month")
    signups = MetricQuery.build("signups", "metric_time__day")
    wanted = [spec_for(project.model, q, project.dialect) for q in (revenue, signups)]
    assert None not in wanted
    first = store.build(project, wanted, kind="table")  # type: ignore[arg-type]
    assert len(first["built"]) == 2
    assert check_routes(project, store, [revenue, signups]) == 2
    assert store.build(project, wanted, kind="table")["kept"] == first["built"]  # type: ignore[arg-type]
    # another session writes to the invoices: the revenue rollup is stale at once, the other is not
    postgres_server.psql(db, f"UPDATE {INVOICES} SET amount = amount * 2")
    assert store.find(project, revenue, data_version(project)) is None
    assert store.find(project, signups, data_version(project)) is not None
    assert store.stale(project) == 1  # what `learn status` reports
    postgres_server.psql(db, f"BEGIN; UPDATE {INVOICES} SET amount = 0; ROLLBACK;")  # changes nothing
    second = store.build(project, wanted, kind="table")  # type: ignore[arg-type]
    assert len(second["built"]) == 1 and len(second["kept"]) == 1
    assert check_routes(project, store, [revenue, signups]) == 2  # the new rows (amounts doubled)
    assert set(second["dropped"]) == set(first["built"]) - set(second["kept"])
    assert relations(postgres_server, db) == sorted(second["built"] + second["kept"])
    postgres_server.psql(db, "TRUNCATE main.dim_customers_canonical")  # a TRUNCATE is caught too
    assert store.find(project, signups, data_version(project)) is None
    rebuilt = store.build(project, wanted, kind="table")  # type: ignore[arg-type]
    assert rebuilt["rollups"] == 2
    assert check_routes(project, store, [revenue, signups]) == 2
    # a dropped trigger means untracked: never used
    postgres_server.psql(db, f"DROP TRIGGER metricmind_rollup_version ON {INVOICES}")
    assert store.find(project, revenue, data_version(project)) is None
    # nothing wanted any more: every table and trigger dropped
    gone = store.build(project, [])
    assert gone["rollups"] == 0 and len(gone["dropped"]) == 2
    assert relations(postgres_server, db) == [] and triggers(postgres_server, db) == []
    assert store.find(project, signups, data_version(project)) is None


def test_views_and_incremental_rollups_return_the_plain_rows(
    pg_demo: tuple[Project, str], postgres_server: PostgresServer
) -> None:
    project, db = pg_demo
    month = MetricQuery.build("invoice_revenue", ["metric_time__month", "customer__segment"])
    spec = spec_for(project.model, month, project.dialect)
    assert spec is not None and spec.grain == "day"
    views = RollupStore(project.state_dir / "views")
    report = views.build(project, [spec], kind="view")
    assert report["kinds"] == {report["built"][0]: "view"}
    assert check_routes(project, views, [month]) == 1
    postgres_server.psql(db, f"UPDATE {INVOICES} SET amount = amount + 1")
    assert check_routes(project, views, [month]) == 1  # a view reads the live rows: still exact
    # incremental: refreshed in place (its last week recomputed), verified; an older change → full build
    incremental = RollupStore(project.state_dir / "incremental")
    first = incremental.build(project, [spec], kind="incremental")
    table = first["built"][0]
    postgres_server.psql(
        db,
        f"UPDATE {INVOICES} SET amount = amount + 5 WHERE paid_at >= (SELECT MAX(paid_at) FROM {INVOICES})",
    )
    assert incremental.find(project, month, data_version(project)) is None
    refreshed = incremental.build(project, [spec], kind="incremental")
    assert refreshed["built"] == [table]  # the same table, refreshed
    assert check_routes(project, incremental, [month]) == 1
    postgres_server.psql(db, f"UPDATE {INVOICES} SET amount = amount * 3 WHERE paid_at < '2025-01-01'")
    again = incremental.build(project, [spec], kind="incremental")  # the refresh differs: rebuilt in full
    assert again["rollups"] == 1 and not again["failed"]
    assert check_routes(project, incremental, [month]) == 1


def test_the_materialization_policy_chooses_and_learns_from_measured_costs(
    pg_demo: tuple[Project, str], postgres_server: PostgresServer
) -> None:
    project, db = pg_demo
    store = RollupStore(project.state_dir / "rollups")
    wanted = specs(project)
    report = store.build(project, wanted, {s.key: 30 for s in wanted})
    chosen = report["kinds"]
    assert len(chosen) + len(report["ephemeral"]) + len(report["failed"]) == len(wanted)
    assert not report["failed"]
    assert set(chosen.values()) <= {"table", "incremental", "view"}
    assert relations(postgres_server, db) == sorted(chosen)
    assert check_routes(project, store, queries()) >= len(chosen)  # several queries per rollup
    state: dict[str, Any] = json.loads((store.folder / "materialize.json").read_text())
    assert state["experiences"] >= len(wanted)  # each build rewarded (after the measured table's nights)
    for rollup in store.rollups():
        assert rollup.extra["kind"] == chosen[rollup.table]
        assert rollup.extra["read_ms"] >= 0 and rollup.build_ms > 0


def test_a_rollup_over_a_view_is_kept_as_a_view(
    pg_demo: tuple[Project, str], postgres_server: PostgresServer
) -> None:
    project, db = pg_demo
    postgres_server.psql(
        db,
        "ALTER TABLE main.dim_customers_canonical RENAME TO dim_customers_t; "
        "CREATE VIEW main.dim_customers_canonical AS SELECT * FROM main.dim_customers_t",
    )
    signups = MetricQuery.build("signups", "metric_time__month")
    spec = spec_for(project.model, signups, project.dialect)
    assert spec is not None
    store = RollupStore(project.state_dir / "rollups")
    report = store.build(project, [spec], kind="table")  # a view's changes cannot be tracked
    assert list(report["kinds"].values()) == ["view"] and not report["failed"]
    assert check_routes(project, store, [signups]) == 1
    assert triggers(postgres_server, db) == []
    postgres_server.psql(
        db,
        "DELETE FROM main.dim_customers_t WHERE customer_id IN (SELECT customer_id FROM main.dim_customers_t LIMIT 5)",
    )
    assert check_routes(project, store, [signups]) == 1  # live rows


def test_rollup_ddl_is_built_from_known_names_only() -> None:
    from metricmind.errors import MetricmindError
    from metricmind.learn import rollup_sql as q

    for bad in ("x; DROP TABLE t", "pg_catalog", "a-b", "", "x" * 64, 'a"b'):
        with pytest.raises(MetricmindError, match="learn.rollups_schema"):
            q.check_schema(bad)
    assert q.check_schema("metricmind_rollups") == "metricmind_rollups"
    assert q.drop("table", "s", "r_1") == 'DROP TABLE IF EXISTS "s"."r_1"'
    assert q.create_as("view", "s", "r_1", "SELECT 1") == 'CREATE VIEW "s"."r_1" AS SELECT 1'
    sql = "WITH w AS (SELECT * FROM main.a) SELECT * FROM w JOIN b ON TRUE JOIN main.a AS x ON TRUE"
    assert q.source_tables(sql, "public") == [("main", "a"), ("public", "b")]
    with pytest.raises(ValueError, match="not a valid date|Invalid isoformat"):
        q.refresh("s", "r_1", "SELECT 1", "metric_time__day", "2025-01-01' OR 1=1 --")
    assert q.TABLE_NAME.match("r_0123456789abcdef_17") and not q.TABLE_NAME.match("r_other")


def test_a_replay_on_postgresql_serves_the_plain_rows_and_leaves_the_projects_rollups(
    pg_demo: tuple[Project, str], postgres_server: PostgresServer
) -> None:
    from metricmind.project.replay import replay

    project, db = pg_demo
    store = RollupStore(project.state_dir / "rollups")
    own = store.build(project, specs(project)[:2], kind="table")["built"]
    result = replay(project, 160, seed=0)
    assert result["queries"] == 160 and result["failed"] == 0
    assert result["differing_answers"] == 0 and result["banned"] == []
    assert result["cache_hits"] > 0 and result["rollups_built"] > 0 and result["rollup_hits"] > 0
    assert relations(postgres_server, db) == sorted(own)  # the project's own rollups untouched
    left = postgres_server.psql(
        db,
        f"SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{SCHEMA}_replay' AND c.relname LIKE 'r\\_%'",
    )
    assert left.strip() == "0"  # the replay's rollups dropped
    assert project.setting("learn.rollups_schema") == SCHEMA
