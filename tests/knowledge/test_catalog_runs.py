"""Runs made from the CLI or MCP (spooled, then recorded by the catalog) reach the knowledge graph once."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from metricmind.interfaces.cli.app import app
from metricmind.interfaces.cli.commands_knowledge import _knowledge
from metricmind.knowledge.schema import query_log
from metricmind.project import Project
from metricmind.spec.query import MetricQuery


def test_cli_runs_reach_the_graph_once(project_dir: Path) -> None:
    runner = CliRunner()
    for _ in range(2):
        args = [
            "query",
            "-p",
            str(project_dir),
            "-m",
            "new_customers",
            "-g",
            "customer__segment",
            "-f",
            "json",
        ]
        assert runner.invoke(app, args).exit_code == 0
    with Project.load(project_dir) as project:
        assert project.catalog.usage_counts()["new_customers"] == 2  # the catalog took the spool in
        project.run(MetricQuery.build("mrr"), source="web")  # the web UI records its own runs
        knowledge = _knowledge(project)
        try:
            knowledge.refresh()
            knowledge.refresh()  # a repeat adds nothing
            with knowledge.engine.connect() as conn:
                sources = conn.execute(sa.select(query_log.c.source, query_log.c.external_id)).all()
            assert len(sources) == 2 and {s for s, _ in sources} == {"metricmind"}
            assert all(e.startswith("catalog:") for _, e in sources)
            top = knowledge.top("metrics", limit=5)
            assert "new_customers" in str(top)
        finally:
            knowledge.close()
