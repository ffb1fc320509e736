"""Propose, generate and dbt-build a list of definitions on a copied sample project (the foreign Define tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metricmind.define import Definition, generate
from metricmind.export import build
from metricmind.project import Project


def generate_and_build(root: Path, cases: list[tuple[Definition, str]], dbt: str) -> dict[str, Any]:
    """Propose and generate every definition, write the packages, build them all with one real dbt run.

    Every definition must be answered and its package must carry files and data checks; the proposals are
    returned by metric name for the row checks.
    """
    selection: list[str] = []
    proposals: dict[str, Any] = {}
    with Project.load(root) as project:
        for definition, _ in cases:
            proposal = project.analyze_definition(definition)
            assert proposal.refused is None, proposal.message
            proposals[definition.name] = proposal
            package = generate(proposal, project, run_sql=lambda sql: project.warehouse.run(sql).rows)
            assert package.files and package.checks
            for rel, text in package.files.items():
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_text(text, encoding="utf-8")
            selection += package.selection
    result = build(root, selection, executable=dbt)
    assert result.ok, result.summary() + result.output[-3000:]
    assert result.nodes and {n.status for n in result.nodes} <= {"pass", "success"}
    return proposals
