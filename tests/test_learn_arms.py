"""Real arms in the query path: rollups answer exactly or not at all, never stale; the learned path
serves the plain plan's rows, learns, and bans an arm that differs."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from metricmind import MetricQuery, Project
from metricmind.errors import MetricmindError
from metricmind.learn.rollup import spec_for
from metricmind.learn.safety import same_answer
from metricmind.project.learning import CACHE, CHECKPOINT, PLAIN, ROLLUP, Learner
from metricmind.project.rollups import RollupStore, data_version
from metricmind.warehouse.duckdb import DuckDBWarehouse

SEG = "{{ Dimension('customer__segment') }} = 'Enterprise'"


@pytest.fixture
def demo(demo_built: Path, tmp_path: Path) -> Project:
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns(".metricmind"))
    project = Project.load(root)
    yield project
    project.close()


def queries() -> list[MetricQuery]:
    b = MetricQuery.build
    return [
        b("invoice_revenue", "metric_time__month"),
        b("invoice_revenue", ["metric_time__year", "customer__segment"]),
        b("invoice_revenue", "metric_time__week"),
        b("invoice_revenue"),
        b("invoice_revenue", "metric_time__quarter", where=SEG),
        b("invoice_revenue", "metric_time__month", start="2025-02-10", end="2025-08-20"),
        b("invoice_revenue", "customer__segment", start="2025-02-10", end="2025-08-20"),
        b("invoice_count", ["customer__segment", "metric_time__month"], order_by="-invoice_count"),
        b("signups", "metric_time__day"),
        b("new_customers", "metric_time__month"),  # count distinct: only its exact shape
    ]


def test_rollups_answer_exactly_or_not_at_all(demo: Project) -> None:
    store = RollupStore(demo.state_dir / "rollups")
    specs = {spec_for(demo.model, q) for q in queries()}
    report = store.build(demo, [s for s in specs if s is not None], kind="table")
    assert not report["failed"] and report["rollups"] == len(specs)
    version = data_version(demo)
    routed = 0
    for query in queries():
        found = store.find(demo, query, version)
        assert found is not None, query
        plain = demo._run_plain(query)
        got = store.run(found[1])
        assert got.columns == plain.columns
        assert same_answer(plain.rows, got.rows), query
        assert got.rows == plain.rows or query.order_by  # same order too
        routed += 1
    assert routed == len(queries())
    # count distinct re-aggregated to a coarser grain is not exact: never routed
    assert store.find(demo, MetricQuery.build("new_customers", "metric_time__year"), version) is None
    # a limit, or a filter on a dimension the rollup lacks, is not routed either
    assert store.find(demo, MetricQuery.build("signups", "metric_time__month", limit=3), version) is None
    other = MetricQuery.build(
        "signups", "metric_time__month", where="{{ Dimension('customer__plan') }} = 'x'"
    )
    assert store.find(demo, other, version) is None


def test_a_rollup_whose_source_changed_is_never_used(demo: Project) -> None:
    store = RollupStore(demo.state_dir / "rollups")
    query = MetricQuery.build("invoice_revenue", "metric_time__month")
    spec = spec_for(demo.model, query)
    assert spec is not None
    store.build(demo, [spec], kind="table")
    assert store.find(demo, query, data_version(demo)) is not None
    demo.close()  # the warehouse changes: every invoice doubles
    with DuckDBWarehouse(demo._warehouse_path(), read_only=False) as wh:
        wh.execute("UPDATE main.fct_invoices_canonical SET amount = amount * 2")
    project = Project.load(demo.root)
    assert store.find(project, query, data_version(project)) is None  # stale: not used
    report = store.build(project, [spec], kind="table")  # rebuilt on the new data
    assert report["built"] == [spec.name]
    found = store.find(project, query, data_version(project))
    assert found is not None
    assert same_answer(project._run_plain(query).rows, store.run(found[1]).rows)
    assert store.build(project, [])["dropped"] == [spec.name]  # no longer wanted: dropped
    assert store.find(project, query, data_version(project)) is None
    project.close()


def test_the_learned_path_serves_the_plain_rows_and_learns(
    demo: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("METRICMIND_LEARN_ENABLED", "on")
    learner = demo.learner
    learner.rollups.build(demo, [s for s in (spec_for(demo.model, q) for q in queries()) if s], kind="table")
    served = []
    for _ in range(8):
        for query in queries():
            answer = learner.serve(query)
            assert same_answer(demo._run_plain(query).rows, answer.result.rows)
            served.append(answer.served)
    assert served.count("cache") > 0 and served.count("rollup") > 0
    assert demo.run(queries()[0]).rows == demo._run_plain(queries()[0]).rows  # run() goes through it
    learner.flush()
    memory = demo.memory
    assert memory.status()["episodes"] == 81
    state = memory.load_checkpoint("query_policy")
    assert state is not None and state["experiences"] >= 64  # trained every 32, checkpointed
    assert learner.guard.banned == {}
    served_as = {e["action"]["served"] for e in memory.episodes(200)}
    assert {"cache", "rollup"} <= served_as


def test_an_arm_that_differs_is_banned_and_the_plain_answer_served(demo: Project) -> None:
    learner = Learner(demo, seed=1)
    query = MetricQuery.build("invoice_revenue", "metric_time__month")
    spec = spec_for(demo.model, query)
    assert spec is not None
    learner.rollups.build(demo, [spec], kind="table")
    manifest = learner.rollups.folder / "manifest.json"
    data = json.loads(manifest.read_text())
    data["rollups"][0]["spec"]["reagg"] = "MAX"  # a wrong re-aggregation: max of days is not a month's sum
    manifest.write_text(json.dumps(data))
    learner.policy.epsilon = 0.0
    learner.policy.theta[learner.policy.index[ROLLUP], -1] = 1000.0  # make the policy want the rollup
    answer = learner.serve(query)
    assert answer.banned and answer.served == "plain"
    assert answer.result.rows == demo._run_plain(query).rows
    assert [b["arm"] for b in learner.guard.report()] == [ROLLUP]
    assert ROLLUP not in learner.guard.allowed([PLAIN, CACHE, ROLLUP])
    # the ban is checkpointed: a new learner (another process) keeps it
    learner.flush()
    assert ROLLUP in Learner(demo).guard.banned


def test_the_exploration_schedule_is_a_setting(demo: Project) -> None:
    assert Learner(demo).policy.epsilon_schedule == "per_context"  # the default
    demo.settings["learn"] = {"epsilon_schedule": "constant"}
    learner = Learner(demo)
    assert learner.policy.epsilon_schedule == "constant"
    learner.serve(MetricQuery.build("invoice_revenue", "metric_time__month"))
    learner.flush()
    memory = demo.memory
    assert memory is not None
    memory.save_checkpoint(CHECKPOINT, learner.policy.experiences, learner.policy.state())
    demo.settings["learn"] = {"epsilon_schedule": "per_context"}
    restored = Learner(demo).policy
    assert restored.experiences == 1 and restored.epsilon_schedule == "per_context"  # follows the setting
    demo.settings["learn"] = {"epsilon_schedule": "sometimes"}
    with pytest.raises(MetricmindError, match="learn.epsilon_schedule is 'sometimes'") as info:
        Learner(demo)
    assert "per_context" in (info.value.hint or "")


def test_a_reward_setting_with_unknown_keys_is_a_clear_error(demo: Project) -> None:
    demo.settings["learn"] = {"reward": {"sucess": 10}}
    with pytest.raises(MetricmindError, match="Unknown reward key.*'sucess'.*learn.reward") as info:
        Learner(demo)
    assert "success" in (info.value.hint or "")
    demo.settings["learn"] = {"reward": {"success": 20}}
    assert Learner(demo).reward.success == 20


def test_replay_serves_equal_rows_from_cache_and_rollups(demo: Project) -> None:
    from metricmind.project.replay import replay, workload

    # the workload holds near-repeats: the same shapes over time ranges of whole months, or filtered
    drawn = workload(demo, 300, seed=0)
    ranged = [q for q in drawn if q.start and q.end]
    filtered = [q for q in drawn if q.where]
    assert len(ranged) > 30 and len(filtered) > 30
    assert all(q.start.day == 1 and q.end.day == 1 for q in ranged)
    assert {q.group_by for q in ranged} & {q.group_by for q in drawn if not q.start}
    result = replay(demo, 300, seed=0)
    assert result["queries"] == 300 and result["failed"] == 0
    assert result["differing_answers"] == 0 and result["banned"] == []
    assert result["cache_hits"] > 0 and result["rollup_hits"] > 0 and result["rollups_built"] > 0
    assert result["repeated_share"] > 0.3 and result["near_repeated_share"] > 0.1
    # rollups answer queries never asked before (the cache cannot), re-aggregating what they hold
    assert result["rollup_hits_unseen"] > 0 and result["near_repeated_served"].get("rollup", 0) > 0
    # nothing of the replay stays in the project's own memory
    assert demo.memory.status()["episodes"] == 0


@pytest.fixture
def demo_on_postgres(
    demo_built: Path, postgres_server: object, tmp_path: Path
) -> Iterator[tuple[Project, str]]:
    from metricmind.testing.postgres import copy_duckdb_to_postgres

    server = postgres_server
    name = "learn_arms_pg"
    server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[attr-defined]
    server.psql("postgres", f"CREATE DATABASE {name}")  # type: ignore[attr-defined]
    url = f"postgresql://postgres@127.0.0.1:{server.port}/{name}"  # type: ignore[attr-defined]
    root = tmp_path / "demo"
    shutil.copytree(demo_built, root, ignore=shutil.ignore_patterns("target", ".metricmind"))
    snapshot = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_built / "target" / "warehouse.duckdb", snapshot)
    copy_duckdb_to_postgres(snapshot, url)
    (root / "metricmind.yml").write_text(
        f"name: saas_demo\nwarehouse:\n  type: postgres\n  dsn: {url}\n  schema: main\n"
    )
    with Project.load(root) as project:
        yield project, name
    server.psql("postgres", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")  # type: ignore[attr-defined]


def test_postgres_answers_are_cached_until_a_write(
    demo_on_postgres: tuple[Project, str], postgres_server: object
) -> None:
    project, name = demo_on_postgres
    learner = Learner(project, seed=3)
    query = MetricQuery.build("invoice_revenue", "metric_time__year")
    before = data_version(project)
    assert before and before.startswith("pg:") and data_version(project) == before  # reading moves nothing
    served = [learner.serve(query).served for _ in range(12)]
    assert "cache" in served
    postgres_server.psql(name, "UPDATE main.fct_invoices_canonical SET amount = amount * 2")  # type: ignore[attr-defined]
    assert data_version(project) != before
    doubled = project._run_plain(query).rows
    for _ in range(12):  # never the old answer
        assert learner.serve(query).result.rows == doubled
    assert learner.rollups.build(project, [])["rollups"] == 0  # nothing wanted: nothing built


def test_a_rollup_whose_definition_changed_is_never_used(demo: Project) -> None:
    store = RollupStore(demo.state_dir / "rollups")
    query = MetricQuery.build("invoice_revenue", "metric_time__quarter")
    spec = spec_for(demo.model, query)
    assert spec is not None
    store.build(demo, [spec], kind="table")
    assert store.find(demo, query, data_version(demo)) is not None
    billing = demo.root / "models" / "semantic" / "billing.yml"
    text = billing.read_text()
    assert "        agg: sum\n        expr: amount\n        agg_time_dimension: paid_at" in text
    billing.write_text(
        text.replace(
            "expr: amount\n        agg_time_dimension: paid_at",
            "expr: amount * 2\n        agg_time_dimension: paid_at",
        )
    )
    with Project.load(demo.root) as changed:
        assert data_version(changed) == data_version(demo)  # same data, another definition
        assert RollupStore(changed.state_dir / "rollups").find(changed, query, data_version(changed)) is None


def test_cache_and_rollup_answers_carry_the_deprecation_warning(demo: Project) -> None:
    demo.catalog.add_user("ann", "approver")
    demo.catalog.deprecate(
        "metric", "invoice_revenue", "ann", "renamed", successor="net_revenue", sunset="2027-01-31"
    )
    learner = Learner(demo, seed=1)
    query = MetricQuery.build("invoice_revenue", "metric_time__month")
    spec = spec_for(demo.model, query)
    assert spec is not None
    learner.rollups.build(demo, [spec], kind="table")
    learner.policy.choose = lambda _x, _allowed, _key=None, pattern=None: PLAIN  # type: ignore[method-assign]
    plain = learner.serve(query)  # fills the cache
    served = {plain.served}
    for arm in (ROLLUP, CACHE):
        learner.policy.choose = lambda _x, _allowed, _key=None, pattern=None, arm=arm: arm  # type: ignore[method-assign]
        answer = learner.serve(query)
        served.add(answer.served)
        assert answer.result.rows == plain.result.rows
        assert answer.result.warnings and "net_revenue" in answer.result.warnings[0], answer.served
    assert {"rollup", "cache"} <= served


def test_a_month_rollup_answers_ranges_of_whole_months_only(demo: Project) -> None:
    """A time range on a rollup coarser than a day routes only when its bounds are whole periods of the
    rollup's grain (every source row of a kept month is inside the range): equal to the plain plan."""
    b = MetricQuery.build
    spec = spec_for(demo.model, b("new_mrr", "metric_time__quarter"))
    assert spec is not None and spec.grain == "month" and spec.reagg == "SUM"
    store = RollupStore(demo.state_dir / "rollups")
    assert not store.build(demo, [spec], kind="table")["failed"]
    version = data_version(demo)
    whole = [
        b("new_mrr", start="2025-02-01", end="2025-05-01"),
        b("new_mrr", "metric_time__quarter", start="2025-01-01", end="2026-01-01"),
        b("new_mrr", "metric_time__year", start="2025-04-01", end="2025-10-01"),  # widened to whole years
        b("new_mrr", "metric_time__month", start="2025-03-01"),
    ]
    nonempty = 0
    for query in whole:
        found = store.find(demo, query, version)
        assert found is not None, query
        plain = demo._run_plain(query)
        got = store.run(found[1])
        assert got.columns == plain.columns and got.rows == plain.rows, query
        nonempty += bool(plain.rows)
    assert nonempty == len(whole)
    # a bound inside a month: the rollup's month would hold days outside the range — never routed
    for query in (b("new_mrr", start="2025-02-10", end="2025-05-01"), b("new_mrr", end="2025-05-20")):
        assert store.find(demo, query, version) is None, query


def test_the_cache_arm_is_offered_only_for_a_cached_answer(demo: Project) -> None:
    """Every plan's answer is stored whatever the arm: on a miss a cache arm would be its plan exactly,
    so it is offered only when the answer is cached on this data version."""
    learner = Learner(demo, seed=5)
    query = MetricQuery.build("invoice_revenue", "metric_time__quarter")
    version = data_version(demo)
    key, pattern = learner.cache_key(query), "invoice_revenue by quarter"
    assert not learner.cache.peek(key, version)
    cold = learner.offered(query, pattern, version, False, cached=learner.cache.peek(key, version))
    assert PLAIN in cold and not any("result_cache" in arm for arm in cold)
    first = learner.serve(query)
    assert first.served != "cache" and learner.cache.peek(key, version)
    warm = learner.offered(query, pattern, version, False, cached=learner.cache.peek(key, version))
    assert CACHE in warm and PLAIN in warm
    learner.close()
