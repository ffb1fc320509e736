"""``metricmind users add|list`` and ``metricmind catalog sync|status``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.project import Project


def test_users_add_prints_a_token_that_signs_in(project_dir: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["users", "add", "ana", "--role", "editor", "-p", str(project_dir)])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    with Project.load(project_dir) as project:
        assert project.catalog.user_for_token(token) == {"name": "ana", "role": "editor"}
    listed = runner.invoke(app, ["users", "list", "-p", str(project_dir), "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["role"] == "editor"
    table = runner.invoke(app, ["users", "list", "-p", str(project_dir)])
    assert "ana" in table.stdout and token not in table.stdout
    bad = runner.invoke(app, ["users", "add", "bo", "--role", "owner", "-p", str(project_dir)])
    assert bad.exit_code == 2 and "unknown role" in bad.output


def test_catalog_sync_and_status(project_dir: Path) -> None:
    runner = CliRunner()
    status = runner.invoke(app, ["catalog", "status", "-p", str(project_dir), "--json"])
    assert status.exit_code == 0, status.output
    data = json.loads(status.stdout)
    assert data["metrics"]["certified"] == 1 and data["datasets"] == {"certified": 1, "published": 1}
    text = runner.invoke(app, ["catalog", "status", "-p", str(project_dir)]).stdout
    assert "metrics:" in text and "certified 1" in text
    path = project_dir / "models" / "metrics.yml"
    path.write_text(path.read_text().replace("label: Orders\n", "label: Order count\n", 1))
    synced = runner.invoke(app, ["catalog", "sync", "-p", str(project_dir)])
    assert synced.exit_code == 0 and "updated: 1 (metric:orders)" in synced.stdout
    again = runner.invoke(app, ["catalog", "sync", "-p", str(project_dir), "--json"])
    assert json.loads(again.stdout) == {"added": [], "updated": [], "removed": []}
