"""The command line: output formats, `--project`, and exit code 2 with a clear message on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_query_json_shape(shop_dir: Path) -> None:
    code, out, _ = run(
        "query",
        "-p",
        str(shop_dir),
        "--metrics",
        "revenue,orders",
        "--group-by",
        "customer__segment",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"columns", "rows", "sql", "elapsed_ms"}
    assert data["columns"] == ["customer__segment", "revenue", "orders"]
    assert len(data["rows"]) == 3 and all(len(r) == 3 for r in data["rows"])
    assert data["sql"].startswith("SELECT") and isinstance(data["elapsed_ms"], float)


def test_query_csv_and_table(shop_dir: Path) -> None:
    code, out, _ = run("query", "-p", str(shop_dir), "-m", "revenue", "-g", "metric_time__year", "-f", "csv")
    assert code == 0 and out.splitlines()[0] == "metric_time__year,revenue"
    assert out.splitlines()[1].startswith("2023-01-01,")
    code, out, _ = run("query", "-p", str(shop_dir), "-m", "revenue", "-g", "metric_time__year")
    assert code == 0 and "metric_time__year" in out and "(2 rows)" in out


def test_sql_per_dialect(shop_dir: Path) -> None:
    for dialect in ("duckdb", "postgres", "snowflake", "bigquery", "databricks", "spark", "trino"):
        code, out, _ = run(
            "sql", "-p", str(shop_dir), "-m", "revenue", "-g", "metric_time__month", "-d", dialect
        )
        assert code == 0 and "SELECT" in out


def test_saved_query_and_options(shop_dir: Path) -> None:
    code, out, _ = run(
        "query",
        "-p",
        str(shop_dir),
        "--saved-query",
        "revenue_by_segment",
        "--start",
        "2024-01-01",
        "--end",
        "2024-04-01",
        "--order",
        "-revenue",
        "--limit",
        "2",
        "-f",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert data["columns"] == ["metric_time__month", "customer__segment", "revenue", "orders"]
    assert len(data["rows"]) == 2 and data["rows"][0][2] >= data["rows"][1][2]


def test_list(shop_dir: Path) -> None:
    code, out, _ = run("list", "metrics", "-p", str(shop_dir))
    assert code == 0 and "revenue_per_customer" in out and "ratio" in out
    code, out, _ = run("list", "dimensions", "-p", str(shop_dir), "--metric", "orders_per_visit", "--json")
    names = [d["name"] for d in json.loads(out)]
    assert "customer__segment" in names and "order__status" not in names  # not reachable from visits


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["query", "-m", "revenu"], "unknown metric 'revenu'"),
        (["query", "-m", "revenue", "-g", "customer__segmnt"], "Did you mean 'customer__segment'"),
        (["query", "-m", "revenue", "-w", "1=1; drop table orders"], "not a single condition"),
        (["sql", "-m", "revenue", "-d", "oracle"], "unknown dialect"),
        (["query", "-m", "revenue", "--start", "yesterday"], "not a date"),
    ],
)
def test_bad_input_exits_2(shop_dir: Path, args: list[str], message: str) -> None:
    code, _, err = run(*args, "-p", str(shop_dir))
    assert code == 2
    assert message in err and err.startswith("error:")


def test_impossible_join_exits_2(tmp_path: Path) -> None:
    from tests.compiler.test_errors import test_dimension_of_an_unrelated_model_is_a_join_error  # noqa: F401
    from tests.spec.test_loader import write_project

    root = write_project(
        tmp_path,
        """
semantic_models:
  - name: sales
    model: ref('sales')
    defaults: {agg_time_dimension: day}
    entities: [{name: sale, type: primary}]
    dimensions: [{name: day, type: time, type_params: {time_granularity: day}}]
    measures: [{name: amount, agg: sum}]
  - name: weather
    model: ref('weather')
    entities: [{name: station, type: primary}]
    dimensions: [{name: temperature, type: categorical}]
metrics:
  - {name: sales_amount, type: simple, type_params: {measure: amount}}
""",
    )
    code, _, err = run("sql", "-p", str(root), "-m", "sales_amount", "-g", "station__temperature")
    assert code == 2 and "cannot be joined" in err and "hint:" in err


def test_malformed_yaml_exits_2_with_location(tmp_path: Path) -> None:
    from tests.spec.test_loader import write_project

    root = write_project(tmp_path, "metrics:\n  - name: a\n    type: simple\n  foo: [\n")
    code, _, err = run("sql", "-p", str(root), "-m", "a")
    assert code == 2 and "models/semantic.yml:4" in err
    code, _, err = run("validate", "-p", str(root))
    assert code == 2 and "models/semantic.yml:4" in err and "FAILED" in err


def test_validate_ok(shop_dir: Path) -> None:
    code, out, _ = run("validate", "-p", str(shop_dir), "--deep", "--warehouse")
    assert code == 0 and out.startswith("OK:")


def test_missing_project_explains(tmp_path: Path) -> None:
    code, _, err = run("sql", "-p", str(tmp_path / "nope"), "-m", "revenue")
    assert code == 2 and "does not exist" in err


def test_whole_process(shop_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "metricmind", "sql", "-p", str(shop_dir), "-m", "revenue"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "SUM(t0.amount) AS revenue" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "metricmind", "sql", "-p", str(shop_dir), "-m", "nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "unknown metric 'nope'" in proc.stderr


def test_fan_out_is_refused_and_overlapping_groups_print_the_true_total(shop_dir: Path) -> None:
    args = ["query", "-p", str(shop_dir), "-m", "new_customers", "-g", "order__status"]
    code, _, err = run(*args)
    assert code == 2 and "would count a row in several groups" in err and "--overlapping-groups" in err
    code, out, _ = run(*args, "--overlapping-groups")
    assert code == 0 and "note: Overlapping groups" in out and "True total: new_customers = " in out
    code, out, _ = run(*args, "--overlapping-groups", "--format", "json")
    data = json.loads(out)
    assert data["overlapping_groups"] == ["order__status"]
    assert data["total"]["columns"] == ["new_customers"] and len(data["total"]["rows"]) == 1
    assert sum(r[1] for r in data["rows"]) > data["total"]["rows"][0][0]
