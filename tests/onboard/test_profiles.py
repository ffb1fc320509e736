"""A dbt project answers with its own profiles.yml and no metricmind.yml: DuckDB and PostgreSQL, env_var()
rendering, --target and --profiles-dir like dbt, and metricmind.yml (and METRICMIND_*) over the profile."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest
from typer.testing import CliRunner

from metricmind.errors import Level, MetricmindError
from metricmind.interfaces.cli.app import app
from metricmind.project import Project
from metricmind.spec.profiles import postgres_dsn, render
from metricmind.spec.query import MetricQuery
from metricmind.testing.marketplace import build_postgres

QUERIES = [
    ("gmv,orders", "region__region_name"),
    ("bounce_rate,sessions", "metric_time__month"),
    ("average_order_value,completed_orders", "buyer__loyalty_tier"),
    ("new_buyers", "region__region_name"),
    ("items_sold", "order__order_status"),
]


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def answers(project: Project) -> list[list[tuple[object, ...]]]:
    out = []
    for metrics, group_by in QUERIES:
        rows = project.query(metrics.split(","), group_by).rows
        out.append(sorted((tuple(_plain(v) for v in r) for r in rows), key=repr))
    return out


def _plain(value: object) -> object:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) or type(value).__name__ == "Decimal":
        return round(float(value), 6)  # type: ignore[arg-type]
    return str(value)[:10]


def test_duckdb_profile_without_metricmind_yml(marketplace: Path) -> None:
    assert not (marketplace / "metricmind.yml").exists()
    project = Project.load(marketplace, strict=True)
    assert project.profile is not None and project.profile.target == "dev"
    assert (
        project.setting("warehouse.type") == "duckdb" and project.setting("warehouse.schema") == "analytics"
    )
    assert project.model.semantic_models["orders"].relation == "analytics.fct_orders"
    got = dict(project.query("gmv", "region__region_name").rows)
    truth = dict(
        project.warehouse.run(
            "select r.name, sum(l.qty * l.price) from raw.order_lines l join raw.orders o on o.id = l.order_ref "
            "join raw.buyers b on b.id = o.buyer left join raw.regions r on r.code = b.region group by 1"
        ).rows
    )
    assert {k: float(v) for k, v in got.items()} == {k: float(v) for k, v in truth.items()}
    code, out, err = cli("query", "-p", str(marketplace), "-m", "bounce_rate", "-g", "metric_time__month")
    assert code == 0, err
    assert "bounce_rate" in out and "(6 rows)" in out


def test_env_var_default_and_value(marketplace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    moved = marketplace / "target" / "moved.duckdb"
    (marketplace / "target" / "marketplace.duckdb").rename(moved)
    with pytest.raises(MetricmindError, match="marketplace.duckdb.*does not exist"):
        Project.load(marketplace).warehouse  # noqa: B018 - the default of env_var()
    monkeypatch.setenv("MARKETPLACE_DUCKDB_PATH", str(moved))
    assert Project.load(marketplace).query("gmv").rows


def test_target_and_profiles_dir_like_dbt(marketplace: Path, tmp_path: Path) -> None:
    code, _, err = cli("--target", "prod", "query", "-p", str(marketplace), "-m", "gmv")
    assert code == 2 and "no target 'prod'" in err and "dev, warehouse" in err
    code, _, err = cli("--target", "warehouse", "query", "-p", str(marketplace), "-m", "gmv")
    assert code == 2 and "MARKETPLACE_PG_HOST is not set" in err and "profiles.yml" in err
    elsewhere = tmp_path / "dbt_profiles"
    elsewhere.mkdir()
    (marketplace / "profiles.yml").rename(elsewhere / "profiles.yml")
    code, _, err = cli("query", "-p", str(marketplace), "-m", "gmv")
    assert code == 2 and "does not exist" in err and "dbt profile 'marketplace'" in err and "not found" in err
    code, out, err = cli("--profiles-dir", str(elsewhere), "query", "-p", str(marketplace), "-m", "gmv")
    assert code == 0, err
    code, _, err = cli("--profiles-dir", str(tmp_path), "query", "-p", str(marketplace), "-m", "gmv")
    assert code == 2 and "no profiles.yml in" in err


def test_metricmind_yml_and_environment_override_the_profile(
    marketplace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (marketplace / "metricmind.yml").write_text("warehouse:\n  schema: elsewhere\n")
    project = Project.load(marketplace)
    assert project.setting("warehouse.path") == "target/marketplace.duckdb"  # still the profile's
    assert project.model.semantic_models["orders"].relation == "elsewhere.fct_orders"
    monkeypatch.setenv("METRICMIND_WAREHOUSE_SCHEMA", "from_env")
    project = Project.load(marketplace)
    assert project.model.semantic_models["orders"].relation == "from_env.fct_orders"
    assert "from_env.fct_orders" in project.compile(MetricQuery.build("orders"))


def test_other_jinja_is_refused_clearly(marketplace: Path) -> None:
    profiles = marketplace / "profiles.yml"
    profiles.write_text(profiles.read_text().replace("schema: analytics", 'schema: "{{ target.name }}"'))
    project = Project.load(marketplace)
    errs = [i for i in project.issues if i.level is Level.ERROR]
    assert len(errs) == 1 and "Jinja other than env_var" in errs[0].message
    line = next(i for i, text in enumerate(profiles.read_text().splitlines(), 1) if "target.name" in text)
    assert errs[0].file == str(profiles) and errs[0].line == line
    with pytest.raises(MetricmindError, match="cannot tell which warehouse"):
        project.warehouse  # noqa: B018 - never a silent fallback to target/warehouse.duckdb


def test_render() -> None:
    assert render("plain") == "plain"
    assert render("{{ env_var('MM_TEST_UNSET_VAR', 'x') }}-y") == "x-y"
    assert render("{{ env_var(\"MM_TEST_UNSET_VAR\", '5433') | as_number }}") == 5433
    assert render("{{ env_var('MM_TEST_UNSET_VAR', '1') | int }}") == 1
    for bad in ("{{ env_var('MM_TEST_UNSET_VAR') }}", "{{ var('x') }}", "{% if x %}a{% endif %}"):
        with pytest.raises(Exception) as info:
            render(bad)
        assert "MM_TEST_UNSET_VAR is not set" in str(info.value) or "Jinja" in str(info.value)
    dsn = postgres_dsn({"host": "db", "port": 6543, "user": "a b", "password": "p@ss/w", "dbname": "x"})
    assert dsn == "postgresql://a%20b:p%40ss%2Fw@db:6543/x"


def test_postgres_profile_from_env_vars(
    marketplace: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_postgres(postgres_url, schema="mart")
    url = urlparse(postgres_url)
    monkeypatch.setenv("MARKETPLACE_PG_HOST", str(url.hostname))
    monkeypatch.setenv("MARKETPLACE_PG_PORT", str(url.port))
    monkeypatch.setenv("MARKETPLACE_PG_USER", str(url.username))
    monkeypatch.setenv("MARKETPLACE_PG_DBNAME", url.path.lstrip("/"))
    monkeypatch.setenv("MARKETPLACE_PG_SCHEMA", "mart")
    on_pg = Project.load(marketplace, strict=True, target="warehouse")
    assert on_pg.setting("warehouse.type") == "postgres" and on_pg.dialect == "postgres"
    assert on_pg.model.semantic_models["orders"].relation == "mart.fct_orders"
    on_duckdb = Project.load(marketplace, strict=True)
    assert answers(on_pg) == answers(on_duckdb)
    code, out, err = cli(
        "--target", "warehouse", "query", "-p", str(marketplace), "-m", "bounce_rate", "-g",
        "metric_time__month", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    assert len(json.loads(out)["rows"]) == 6


def test_a_profile_named_but_not_found_is_said(marketplace: Path) -> None:
    (marketplace / "profiles.yml").unlink()
    (marketplace / "target" / "marketplace.duckdb").rename(marketplace / "target" / "warehouse.duckdb")
    (marketplace / "metricmind.yml").write_text("warehouse: {schema: analytics}\n")
    code, out, err = cli("query", "-p", str(marketplace), "-m", "gmv")
    assert code == 0 and "(1 row)" in out
    assert (
        "warning: dbt_project.yml:4: dbt profile 'marketplace' (named in dbt_project.yml) was not found"
        in err
    )


def test_an_adapter_metricmind_does_not_read_is_named_not_replaced(marketplace: Path) -> None:
    profiles = marketplace / "profiles.yml"
    profiles.write_text(
        "marketplace:\n  target: prod\n  outputs:\n    prod:\n      type: snowflake\n      account: x\n"
    )
    project = Project.load(marketplace)
    warning = next(i for i in project.issues if i.code == "profile")
    assert warning.level is Level.WARNING and "type 'snowflake'" in warning.message and warning.line == 5
    assert project.setting("warehouse.type") == "snowflake"
    with pytest.raises(MetricmindError, match="unknown warehouse type 'snowflake'"):
        project.warehouse  # noqa: B018 - never the default DuckDB file instead


def test_a_broken_profiles_file_is_an_error_with_its_line(marketplace: Path) -> None:
    profiles = marketplace / "profiles.yml"
    profiles.write_text("marketplace:\n  target: dev\n  outputs: [\n")
    project = Project.load(marketplace)
    errs = [i for i in project.issues if i.level is Level.ERROR]
    assert len(errs) == 1 and errs[0].file == str(profiles) and "invalid YAML" in errs[0].message
    assert "fct_order_lines" in project.compile(MetricQuery.build("gmv"))  # the YAML loads; the warehouse not
    with pytest.raises(MetricmindError, match="cannot tell which warehouse"):
        project.warehouse  # noqa: B018
