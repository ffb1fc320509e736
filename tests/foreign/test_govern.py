"""``govern`` on dbt projects that register no canonical datasets: the marts are the canonical layer.

Clean, each project passes (exit 0, ``ok: true``); a raw source read planted in a mart, a semantic model
built on a staging model, and a duplicated key on the one side of a join each fail with exit 1 and a
machine-readable finding naming the file and the metrics at risk.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.warehouse.duckdb import DuckDBWarehouse
from tests.foreign.conftest import fresh_copy


def _govern(root: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["govern", "-p", str(root), "--json", "--as-of", "2024-07-01"])
    data: dict[str, Any] = json.loads(result.stdout)
    return result.exit_code, data


def test_clean_projects_pass(bazaar_dir: Path, helpdesk_dir: Path, lending_dir: Path, tmp_path: Path) -> None:
    for src in (bazaar_dir, helpdesk_dir, lending_dir):
        code, data = _govern(fresh_copy(src, tmp_path / src.name))
        assert code == 0 and data["ok"] is True, data["findings"]
        assert data["errors"] == 0 and {"lineage", "joins"} <= set(data["checks"])


def test_raw_source_read_in_a_mart_fails(bazaar_dir: Path, tmp_path: Path) -> None:
    root = fresh_copy(bazaar_dir, tmp_path / "bazaar")
    (root / "models/marts/fct_visits.sql").write_text(
        "select id as visit_id, buyer_id, visited_at, utm_source\n"
        "from {{ source('bazaar_raw', 'visits') }}\n",
        encoding="utf-8",
    )
    code, data = _govern(root)
    assert code == 1 and data["ok"] is False
    found = [f for f in data["findings"] if f["code"] == "reads_raw_source"]
    assert len(found) == 1, data["findings"]
    assert found[0]["file"] == "models/marts/fct_visits.sql" and found[0]["line"] == 2
    assert found[0]["semantic_model"] == "visits"
    assert {"visits", "visit_to_order_conversion"} <= set(found[0]["metrics"])


def test_semantic_model_on_a_staging_model_fails(helpdesk_dir: Path, tmp_path: Path) -> None:
    root = fresh_copy(helpdesk_dir, tmp_path / "helpdesk")
    path = root / "models/semantic/accounts.yml"
    path.write_text(path.read_text().replace("ref('dim_accounts')", "ref('stg_zendesk_accounts')"))
    code, data = _govern(root)
    assert code == 1
    found = [f for f in data["findings"] if f["code"] == "reads_staging"]
    assert [f["semantic_model"] for f in found] == ["accounts"], data["findings"]


def test_fan_out_join_fails(bazaar_dir: Path, tmp_path: Path) -> None:
    root = fresh_copy(bazaar_dir, tmp_path / "bazaar")
    with DuckDBWarehouse(root / "target/bazaar.duckdb", read_only=False) as wh:
        wh.execute("insert into main.dim_sellers select * from main.dim_sellers where seller_id = 7")
    code, data = _govern(root)
    assert code == 1
    found = [f for f in data["findings"] if f["code"] == "join_fanout"]
    assert len(found) == 1 and found[0]["semantic_model"] == "sellers", data["findings"]
    assert "'7' (2 rows)" in found[0]["message"] or "7 (2 rows)" in found[0]["message"]
    assert {"gmv", "active_sellers"} <= set(found[0]["metrics"])
