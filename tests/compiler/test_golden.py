"""Golden SQL for every compiler case in every dialect; each must re-parse in its own dialect.

Regenerate after an intended change with ``METRICMIND_UPDATE_GOLDEN=1 pytest tests/compiler/test_golden.py``
and read the diff: snapshots freeze whatever was printed, so the rows are checked separately
(``test_execute.py``) and reviewers must read golden diffs.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import sqlglot

from metricmind.compiler import DIALECTS
from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery
from tests.compiler.test_execute import CASES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("METRICMIND_UPDATE_GOLDEN") == "1"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


@pytest.fixture(scope="module")
def project() -> Project:
    return Project.load(Path(__file__).parents[2] / "metricmind" / "testing" / "projects" / "shop")


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(("name", "query"), [(c[0], c[1]) for c in CASES], ids=[slug(c[0]) for c in CASES])
def test_golden_sql(project: Project, name: str, query: dict[str, Any], dialect: str) -> None:
    path = GOLDEN / slug(name) / f"{dialect}.sql"
    try:
        sql = project.compile(MetricQuery.build(**query), dialect)
    except QueryError as exc:
        # Some warehouses lack a construct (e.g. exact percentiles in BigQuery and Trino): the error is golden too.
        sql = f"-- not supported: {exc}"
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql + "\n")
    assert sql + "\n" == path.read_text(), f"SQL for {name!r} in {dialect} changed; see {path}"
    if not sql.startswith("--"):
        parsed = sqlglot.parse(sql, read=DIALECTS[dialect].sqlglot)
        assert len(parsed) == 1 and parsed[0] is not None
