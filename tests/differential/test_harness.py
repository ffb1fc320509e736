"""Tests of the MetricFlow harness itself.

Two halves: ``compare_results`` unit tests (fast, no MetricFlow), and runs of real MetricFlow on the shop
project whose rows are checked against hand-written SQL on the same DuckDB file. The hand-written SQL
also documents MetricFlow's semantics for each metric type.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import random
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metricmind.testing.metricflow import (
    REPO_ROOT,
    RUNNER,
    MetricFlowRunError,
    MFQuery,
    MFResult,
    MFRun,
    compare_results,
    ensure_mf_env,
    mf_available,
    run_metricflow,
    run_metricflow_batch,
)
from metricmind.testing.mfcompare import ties_at_limit

# --- compare_results ---------------------------------------------------------------------------


def test_equal_results_give_no_differences() -> None:
    rows = [["2024-01-01", "SMB", 10.5, 3], ["2024-02-01", "SMB", 7.25, 1]]
    assert compare_results(["m", "s", "r", "n"], rows, ["m", "s", "r", "n"], rows) == []


def test_dates_equal_timestamps_in_every_spelling() -> None:
    ours = [[dt.date(2024, 1, 1), 1], [dt.datetime(2024, 2, 1), 2], ["2024-03-01 00:00:00", 3]]
    mf = [["2024-01-01T00:00:00", 1], ["2024-02-01", 2], [dt.datetime(2024, 3, 1), 3]]
    assert compare_results(["d", "n"], ours, ["d", "n"], mf) == []


def test_a_date_differs_from_a_timestamp_that_is_not_midnight() -> None:
    diffs = compare_results(["d"], [["2024-01-01"]], ["d"], [["2024-01-01T12:00:00"]])
    assert diffs, "noon is not the date's midnight"


def test_aware_timestamps_compare_in_utc() -> None:
    aware = dt.datetime(2024, 1, 1, 1, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert compare_results(["t"], [[aware]], ["t"], [["2024-01-01T00:00:00"]]) == []


def test_ints_floats_and_decimals_are_numbers() -> None:
    ours = [[1, Decimal("2.50"), 3.0, Decimal("4")]]
    mf = [[1.0, 2.5, 3, 4]]
    assert compare_results(list("abcd"), ours, list("abcd"), mf) == []


def test_integers_compare_exactly_even_when_huge() -> None:
    big = 2**62
    assert compare_results(["n"], [[big]], ["n"], [[big + 1]]) != []
    assert compare_results(["n"], [[Decimal(big)]], ["n"], [[big]]) == []


def test_float_tolerance_is_relative_and_absolute() -> None:
    assert compare_results(["x"], [[1e6 * (1 + 1e-12)]], ["x"], [[1e6]]) == []
    assert compare_results(["x"], [[1e-8]], ["x"], [[0.0]]) == []  # within abs_tol
    diffs = compare_results(["x"], [[100.001]], ["x"], [[100.0]])
    assert diffs == ["value mismatch at {}: x: ours 100.001 != metricflow 100.0"]
    assert compare_results(["x"], [[100.001]], ["x"], [[100.0]], rel_tol=1e-3) == []


def test_null_and_nan_are_the_same_but_not_zero() -> None:
    assert compare_results(["a", "x"], [["k", float("nan")]], ["a", "x"], [["k", None]]) == []
    assert compare_results(["a", "x"], [["k", Decimal("NaN")]], ["a", "x"], [["k", None]]) == []
    assert compare_results(["a", "x"], [["k", 0]], ["a", "x"], [["k", None]]) == [
        "value mismatch at {a: 'k'}: x: ours 0 != metricflow NULL"
    ]


def test_null_group_keys_match_each_other() -> None:
    assert compare_results(["k", "v"], [[None, 1], ["a", 2]], ["k", "v"], [["a", 2], [None, 1]]) == []


def test_bools_only_equal_bools() -> None:
    assert compare_results(["b"], [[True]], ["b"], [[True]]) == []
    assert compare_results(["b"], [[True]], ["b"], [[1]]) != []


def test_infinity_spelled_by_the_runner_equals_float_infinity() -> None:
    assert compare_results(["x"], [[float("inf")]], ["x"], [["Infinity"]]) == []
    assert compare_results(["x"], [[float("-inf")]], ["x"], [["Infinity"]]) != []


def test_strings_that_are_not_dates_stay_strings() -> None:
    assert compare_results(["s"], [["1"]], ["s"], [[1]]) != []
    assert compare_results(["s"], [["2024-13-45"]], ["s"], [["2024-13-45"]]) == []


def test_columns_are_matched_by_name_not_position() -> None:
    assert compare_results(["a", "b"], [[1, "x"]], ["b", "a"], [["x", 1]]) == []


def test_missing_and_extra_columns_are_reported() -> None:
    diffs = compare_results(["a", "c"], [[1, 2]], ["a", "b"], [[1, 3]])
    assert diffs == [
        "columns missing in ours: ['b'] (ours: ['a', 'c'])",
        "extra columns in ours: ['c'] (metricflow: ['a', 'b'])",
    ]


def test_duplicate_columns_are_reported() -> None:
    assert compare_results(["a", "a"], [[1, 1]], ["a"], [[1]])[0].startswith("duplicate column names in ours")


def test_short_rows_are_reported() -> None:
    assert "row(s) do not have 2 cells" in compare_results(["a", "b"], [[1]], ["a", "b"], [[1, 2]])[0]


def test_missing_and_extra_rows_are_reported() -> None:
    ours = [["2024-01-01", 1], ["2024-03-01", 3]]
    mf = [["2024-01-01", 1], ["2024-02-01", 2]]
    diffs = compare_results(["m", "n"], ours, ["m", "n"], mf)
    assert diffs == [
        "missing in ours: {m: '2024-02-01T00:00:00', n: 2}",
        "extra in ours: {m: '2024-03-01T00:00:00', n: 3}",
    ]


def test_rows_are_a_multiset() -> None:
    diffs = compare_results(["a"], [["x"], ["x"]], ["a"], [["x"]])
    assert diffs == ["row count: ours 2, metricflow 1", "extra in ours: {a: 'x'}"]


def test_value_mismatch_names_the_key_and_the_column() -> None:
    ours = [["SMB", "2024-01-01", 10.0, 4], ["Enterprise", "2024-01-01", 5.0, 1]]
    mf = [["Enterprise", "2024-01-01", 5.0, 1], ["SMB", "2024-01-01", 10.5, 4]]
    cols = ["segment", "month", "revenue", "orders"]
    assert compare_results(cols, ours, cols, mf) == [
        "value mismatch at {segment: 'SMB', month: '2024-01-01T00:00:00'}: revenue: ours 10.0 != metricflow 10.5"
    ]


def test_ordered_comparison_reports_order_problems() -> None:
    ours = [["a", 1], ["b", 2]]
    mf = [["b", 2], ["a", 1]]
    assert compare_results(["k", "v"], ours, ["k", "v"], mf) == []
    diffs = compare_results(["k", "v"], ours, ["k", "v"], mf, ordered=True)
    assert diffs[0] == "same rows in a different order"
    assert diffs[1] == "row 0: k: ours 'a' != metricflow 'b'; v: ours 1 != metricflow 2"


def test_ordered_comparison_reports_a_missing_tail() -> None:
    diffs = compare_results(["k"], [["a"]], ["k"], [["a"], ["b"]], ordered=True)
    assert diffs == ["row count: ours 1, metricflow 2", "missing in ours at row 1: {k: 'b'}"]


def test_the_report_is_capped() -> None:
    diffs = compare_results(["k"], [[str(i)] for i in range(50)], ["k"], [], max_diffs=5)
    assert len(diffs) == 7 and diffs[-1] == "... and 45 more row difference(s)"


def test_ties_at_the_limit_are_the_same_answer() -> None:
    """Shop, seed 3, q59: five of many groups with a share of 1.0; MetricFlow's float noise
    (1.0000000000000002) sorts other ones first than the next order key would.
    """
    order = [("v", True), ("k", False)]
    ours_all = [["a", 1.0], ["b", 1.0], ["c", 1.0], ["d", 0.5], ["e", None]]
    mf = [["c", 1.0000000000000002], ["b", 1.0000000000000002]]
    assert compare_results(["k", "v"], ours_all[:2], ["k", "v"], mf) != []
    assert ties_at_limit(["k", "v"], ours_all, ["v", "k"], [[r[1], r[0]] for r in mf], order, 2)
    # exact ties broken by the next key must be broken the same way
    assert not ties_at_limit(["k", "v"], ours_all, ["k", "v"], [["c", 1.0], ["b", 1.0]], order, 2)
    assert ties_at_limit(["k", "v"], ours_all, ["k", "v"], [["a", 1.0], ["b", 1.0]], order, 2)


def test_a_real_difference_at_the_limit_is_not_a_tie() -> None:
    order = [("v", True)]
    ours_all = [["a", 3.0], ["b", 2.0], ["c", 1.0], ["d", None]]
    assert not ties_at_limit(
        ["k", "v"], ours_all, ["k", "v"], [["a", 3.0], ["c", 1.0]], order, 2
    )  # skipped b
    assert not ties_at_limit(["k", "v"], ours_all, ["k", "v"], [["a", 3.0], ["b", 2.5]], order, 2)  # a value
    assert not ties_at_limit(["k", "v"], ours_all, ["k", "v"], [["a", 3.0]], order, 2)  # a row short
    assert not ties_at_limit(["k", "v"], ours_all, ["k", "w"], [["a", 3.0], ["b", 2.0]], order, 2)  # columns
    assert not ties_at_limit(
        ["k", "v"], ours_all, ["k", "v"], [["a", 3.0], ["d", None]], order, 2
    )  # NULL last


def test_near_equal_floats_across_rounding_boundaries_still_pair() -> None:
    # 0.1234565 and 0.12345650000001 round to different 6-digit keys; the brute-force pass pairs them.
    ours = [["k", 0.1234565], ["j", 2.0]]
    mf = [["j", 2.0], ["k", 0.12345650000001]]
    assert compare_results(["a", "x"], ours, ["a", "x"], mf) == []


_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.text(max_size=5),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 1, 1)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_cell, min_size=3, max_size=3), max_size=12), st.randoms())
def test_any_result_equals_its_shuffle(rows: list[list[Any]], rnd: random.Random) -> None:
    shuffled = list(rows)
    rnd.shuffle(shuffled)
    assert (
        compare_results(["a", "b", "c"], rows, ["c", "a", "b"], [[r[2], r[0], r[1]] for r in shuffled]) == []
    )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=4), st.floats(-1e9, 1e9)),
        min_size=1,
        max_size=10,
        unique_by=lambda t: t[0],
    ),
    st.data(),
)
def test_changing_one_number_beyond_tolerance_is_always_caught(
    rows: list[tuple[str, float]], data: st.DataObject
) -> None:
    victim = data.draw(st.integers(0, len(rows) - 1))
    changed = [list(r) for r in rows]
    changed[victim][1] = changed[victim][1] + max(1e-3, abs(changed[victim][1]) * 1e-6)
    diffs = compare_results(["k", "v"], changed, ["k", "v"], [list(r) for r in rows])
    assert len(diffs) == 1 and diffs[0].startswith("value mismatch at {k: ")


# --- the runner, without MetricFlow -----------------------------------------------------------------


def _runner_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mf_runner", RUNNER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runner_converts_values_to_json_safe_ones() -> None:
    runner = _runner_module()
    values = [
        None,
        True,
        7,
        Decimal("1.50"),
        float("nan"),
        Decimal("NaN"),
        float("inf"),
        dt.date(2024, 1, 2),
        dt.datetime(2024, 1, 2, 3, 4, 5),
        [Decimal("1"), dt.date(2024, 1, 1)],
        {"k": Decimal("2")},
    ]
    converted = [runner.json_value(v) for v in values]
    assert converted == [
        None,
        True,
        7,
        1.5,
        None,
        None,
        "Infinity",
        "2024-01-02",
        "2024-01-02T03:04:05",
        [1.0, "2024-01-01"],
        {"k": 2.0},
    ]
    json.dumps(converted, allow_nan=False)


def test_runner_attaches_oddly_named_files_under_a_safe_catalog_name() -> None:
    runner = _runner_module()
    assert runner.catalog_alias(Path("/x/shop.duckdb")) == "shop"
    assert runner.catalog_alias(Path("/x/my-data.v2.duckdb")) == "my_data"
    assert runner.catalog_alias(Path("/x/2024.duckdb")) == "db_2024"
    assert runner.catalog_alias(Path("/x/main.duckdb")) == "main_db"


def test_a_failed_environment_build_is_a_clear_error(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "checkout"
    not_a_directory.write_text("")
    with pytest.raises(MetricFlowRunError, match=r"creating .*\.venv-mf failed: .* -m venv"):
        ensure_mf_env(not_a_directory)


def test_a_working_environment_is_left_alone(mf_env: Path) -> None:
    venv = REPO_ROOT / ".venv-mf"
    if not mf_available(venv / "bin" / "python"):
        pytest.skip(f"MetricFlow runs from {mf_env}, not from {venv}")
    before = (venv / "pyvenv.cfg").stat().st_mtime_ns
    assert ensure_mf_env(REPO_ROOT) == venv / "bin" / "python"
    assert (venv / "pyvenv.cfg").stat().st_mtime_ns == before


def test_missing_environment_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MetricFlowRunError, match="make mf-env"):
        run_metricflow_batch(tmp_path, tmp_path / "x.duckdb", [], python=tmp_path / "no-python")
    assert not mf_available(tmp_path / "no-python")


# --- real MetricFlow on the shop project -----------------------------------------------------------

SHOP_QUERIES = [
    MFQuery(
        "simple",
        metrics=("revenue",),
        group_by=("metric_time__month",),
        order_by=("metric_time__month",),
        repeat=3,
    ),
    MFQuery("ratio", metrics=("revenue_per_customer",), group_by=("customer__segment",)),
    MFQuery(
        "cumulative",
        metrics=("revenue_7d",),
        group_by=("metric_time__day",),
        start="2024-03-01",
        end="2024-03-31",
    ),
    MFQuery(
        "conversion", metrics=("visit_to_order_rate", "visit_conversions"), group_by=("metric_time__month",)
    ),
    MFQuery(
        "where",
        metrics=("revenue", "orders"),
        group_by=("customer__region__region_name", "metric_time__year"),
        where=(
            "{{ Dimension('order__status') }} = 'completed'",
            "{{ Dimension('customer__segment') }} != 'SMB'",
        ),
    ),
    MFQuery("saved", saved_query="revenue_by_segment"),
    MFQuery(
        "window", metrics=("revenue",), group_by=("metric_time__month",), start="2024-01-15", end="2024-02-10"
    ),
    MFQuery("end_only", metrics=("orders",), end="2024-02-10"),
    MFQuery("top", metrics=("revenue",), group_by=("customer__segment",), order_by=("-revenue",), limit=2),
    MFQuery(
        "explain", metrics=("revenue", "orders"), group_by=("customer__segment",), explain_only=True, repeat=4
    ),
    MFQuery("unknown", metrics=("revenue_typo",)),
]

# What each query must return, written by hand against the models (not MetricFlow's SQL).
EXPECTED_SQL = {
    "simple": """
        select date_trunc('month', ordered_at) as metric_time__month, sum(amount) as revenue
        from orders group by 1 order by 1""",
    "ratio": """
        select c.segment as customer__segment, sum(o.amount) / count(distinct o.customer_id) as revenue_per_customer
        from orders o left join customers c on c.customer_id = o.customer_id group by 1""",
    # Every spine day in range whose trailing 7-day window (d-6 .. d) holds at least one order.
    "cumulative": """
        select s.date_day as metric_time__day, sum(o.amount) as revenue_7d
        from time_spine_daily s
        join orders o on o.ordered_at <= s.date_day and o.ordered_at > s.date_day - interval 7 day
        where s.date_day between date '2024-03-01' and date '2024-03-31' group by 1""",
    # An order converts the customer's latest visit in the 7 days up to and including its day; it is
    # credited to that visit's month. The rate divides by all visits of the month.
    "conversion": """
        with credited as (
            select o.order_id, max(v.visited_at) as visit_day
            from orders o join visits v on v.customer_id = o.customer_id
             and v.visited_at <= o.ordered_at and v.visited_at > o.ordered_at - interval 7 day
            group by o.order_id),
        base as (select date_trunc('month', visited_at) as m, count(*) as visits from visits group by 1),
        conv as (select date_trunc('month', visit_day) as m, count(*) as conversions from credited group by 1)
        select coalesce(base.m, conv.m) as metric_time__month,
               conv.conversions / base.visits as visit_to_order_rate,
               conv.conversions as visit_conversions
        from base full join conv on conv.m = base.m""",
    "where": """
        select r.region_name as customer__region__region_name, date_trunc('year', o.ordered_at) as metric_time__year,
               sum(o.amount) as revenue, count(*) as orders
        from orders o left join customers c on c.customer_id = o.customer_id
        left join regions r on r.region_id = c.region_id
        where o.status = 'completed' and c.segment != 'SMB' group by 1, 2""",
    "saved": """
        select date_trunc('month', o.ordered_at) as metric_time__month, c.segment as customer__segment,
               sum(o.amount) as revenue, count(*) as orders
        from orders o left join customers c on c.customer_id = o.customer_id
        where o.status != 'cancelled' group by 1, 2""",
    # MetricFlow widens a time constraint to whole periods of the requested grain.
    "window": """
        select date_trunc('month', ordered_at) as metric_time__month, sum(amount) as revenue from orders
        where ordered_at between date '2024-01-01' and date '2024-02-29' group by 1""",
    # With only an end, MetricFlow starts at 2000-01-01 (TimeRangeConstraint.ALL_TIME_BEGIN).
    "end_only": "select count(*) as orders from orders where ordered_at between '2000-01-01' and '2024-02-10'",
    "top": """
        select c.segment as customer__segment, sum(o.amount) as revenue
        from orders o left join customers c on c.customer_id = o.customer_id
        group by 1 order by 2 desc limit 2""",
}

ORDERED = {"simple", "top"}


@pytest.fixture(scope="module")
def shop_run(shop_mf: tuple[Path, Path]) -> MFRun:
    project_dir, duckdb_path = shop_mf
    return run_metricflow_batch(project_dir, duckdb_path, SHOP_QUERIES)


@pytest.fixture(scope="module")
def shop_db(shop_mf: tuple[Path, Path]) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect(str(shop_mf[1]), read_only=True)
    yield connection
    connection.close()


def _hand(connection: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[list[Any]]]:
    cursor = connection.execute(sql)
    return [d[0] for d in cursor.description], [list(r) for r in cursor.fetchall()]


@pytest.mark.parametrize("query_id", sorted(EXPECTED_SQL))
def test_metricflow_rows_match_hand_written_sql(
    query_id: str, shop_run: MFRun, shop_db: duckdb.DuckDBPyConnection
) -> None:
    result = shop_run.by_id()[query_id]
    assert result.error is None, result.error
    assert result.rows, "an empty answer would make the comparison vacuous"
    columns, rows = _hand(shop_db, EXPECTED_SQL[query_id])
    assert result.columns == columns, "MetricFlow keeps request order (OutputColumnOrderMode.INPUT_ORDER)"
    assert compare_results(columns, rows, result.columns, result.rows, ordered=query_id in ORDERED) == []


def test_results_are_json_safe_with_iso_times(shop_run: MFRun) -> None:
    simple = shop_run.by_id()["simple"]
    assert simple.types == [
        "TIMESTAMP",
        "DOUBLE",
    ]  # metric_time__month is a TIMESTAMP, even over DATE columns
    assert simple.rows[0][0] == "2023-02-01T00:00:00"
    assert all(isinstance(r[1], float) for r in simple.rows)
    cumulative = shop_run.by_id()["cumulative"]
    assert cumulative.types[0] == "DATE" and cumulative.rows[0][0] == "2024-03-01"


def test_compile_times_are_reported_per_repeat(shop_run: MFRun) -> None:
    results = shop_run.by_id()
    assert len(results["simple"].compile_ms) == 3
    assert results["simple"].execute_ms is not None and results["simple"].execute_ms > 0
    explain = results["explain"]
    assert explain.error is None and len(explain.compile_ms) == 4 and all(ms > 0 for ms in explain.compile_ms)
    assert explain.rows == [] and explain.execute_ms is None
    assert '"shop"."main"."orders"' in explain.sql and "customer__segment" in explain.sql
    assert {"mf_import", "engine", "total"} <= set(shop_run.timings_ms)
    assert shop_run.manifest_cache != "miss", "build_with_dbt primes the manifest cache"
    assert shop_run.versions["metricflow"]


def test_a_bad_query_fails_alone_with_metricflows_message(shop_run: MFRun) -> None:
    unknown = shop_run.by_id()["unknown"]
    assert unknown.error is not None and "does not exactly match any known metrics" in unknown.error
    assert unknown.rows == [] and unknown.columns == []
    assert all(r.error is None for r in shop_run.results if r.id != "unknown")


def test_the_source_project_is_never_written(shop_mf: tuple[Path, Path], shop_run: MFRun) -> None:
    project_dir, _ = shop_mf
    assert not (project_dir / "target").exists()
    assert not (project_dir / "logs").exists()
    assert not (project_dir / "profiles.yml").exists()


def test_the_dbt_adapter_path_gives_the_same_answers(shop_mf: tuple[Path, Path], shop_run: MFRun) -> None:
    """``executor="adapter"`` runs ``engine.query`` through dbt like ``mf query``; values pass through agate."""
    project_dir, duckdb_path = shop_mf
    ids = ["simple", "ratio", "conversion", "where", "saved"]
    queries = [q for q in SHOP_QUERIES if q.id in ids]
    via_dbt = run_metricflow(project_dir, duckdb_path, queries, executor="adapter")
    direct = shop_run.by_id()
    for result in via_dbt:
        assert result.error is None, result.error
        reference = direct[result.id]
        assert compare_results(result.columns, result.rows, reference.columns, reference.rows) == [], (
            result.id
        )


def test_a_broken_project_fails_the_whole_run_with_dbts_reason(
    shop_mf: tuple[Path, Path], tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "dbt_project.yml").write_text(
        "name: broken\nversion: '1.0'\nconfig-version: 2\nprofile: broken\n"
    )
    (broken / "models").mkdir()
    (broken / "models" / "m.yml").write_text("semantic_models:\n  - name: x\n    model: ref('nope')\n")
    with pytest.raises(MetricFlowRunError, match="dbt parse failed") as info:
        run_metricflow(broken, shop_mf[1], [MFQuery("q", metrics=("revenue",))])
    assert "runner stderr" in str(info.value)


def test_the_raw_protocol_on_a_renamed_database_file(
    shop_mf: tuple[Path, Path], mf_env: Path, tmp_path: Path
) -> None:
    """stdin/stdout round trip with protocol dicts, on a copy whose file name is no SQL identifier.

    The manifest embeds the file's catalog name; the runner attaches the file under a safe alias and
    parses against it, so any file name works.
    """
    project_dir, duckdb_path = shop_mf
    odd = tmp_path / "copy-of.shop.duckdb"
    odd.write_bytes(duckdb_path.read_bytes())
    request = {
        "project_dir": str(project_dir),
        "duckdb_path": str(odd),
        "queries": [{"id": "q", "metrics": ["orders"], "group_by": [], "repeat": 2}],
    }
    done = subprocess.run(
        [str(mf_env), str(RUNNER)], input=json.dumps(request), capture_output=True, text=True, check=True
    )
    response = json.loads(done.stdout)  # stdout carries nothing but the JSON document
    assert response["error"] is None and response["manifest_cache"] == "off"
    [raw] = response["results"]
    assert set(raw) >= {"id", "columns", "rows", "sql", "error", "compile_ms", "execute_ms"}
    result = MFResult.from_json(raw)
    assert result.ok and result.columns == ["orders"] and len(result.compile_ms) == 2
    assert '"copy_of"."main"."orders"' in result.sql
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        (count,) = connection.execute("select count(*) from orders").fetchone() or (None,)
    assert result.rows == [[count]]


def test_the_manifest_cache_follows_the_project(shop_mf: tuple[Path, Path], tmp_path: Path) -> None:
    """An edited project misses the cache (and sees its edit); the same project then hits it."""
    project_dir, duckdb_path = shop_mf
    edited = tmp_path / "shop"
    shutil.copytree(project_dir, edited)
    name = f"orders_{uuid.uuid4().hex[:8]}"  # new each session: the first run can only be a miss
    (edited / "models" / "extra.yml").write_text(
        f"metrics:\n  - name: {name}\n    label: x\n    type: simple\n    type_params:\n      measure: order_count\n"
    )
    query = [MFQuery("q", metrics=(name,))]
    first = run_metricflow_batch(edited, duckdb_path, query)
    second = run_metricflow_batch(edited, duckdb_path, query)
    assert (first.manifest_cache, second.manifest_cache) == ("miss", "hit")
    assert "parse" in first.timings_ms and "parse" not in second.timings_ms
    assert first.results[0].error is None and first.results[0].rows == second.results[0].rows
    assert second.timings_ms["total"] < first.timings_ms["total"]
