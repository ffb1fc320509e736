"""A group word said after values it groups ("same-day express parcels", where the project groups same_day
and next_day as "express"): the group says what kind the named value is, so the filter keeps the value said,
not the whole group (``define/narrow.py``). Found by the metamorphic bench on the demo ("Android phones" read
as android and ios, seed 5); checked here on a copy of lastmile given a value group, against hand SQL, in a
rule and in the definition. The group alone, or beside a value it does not hold, keeps the whole group.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.project import Project
from tests.foreign.conftest import fresh_copy


@pytest.fixture(scope="module")
def grouped(lastmile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    root = fresh_copy(lastmile_dir, tmp_path_factory.mktemp("group") / "lastmile")
    sm_file = root / "models" / "semantic_layer" / "semantic_models.yml"
    doc = yaml.safe_load(sm_file.read_text())
    parcels = next(sm for sm in doc["semantic_models"] if sm["name"] == "parcels")
    level = next(d for d in parcels["dimensions"] if d["name"] == "service_level")
    level["config"]["meta"]["value_groups"] = {"express": ["same_day", "next_day"]}
    sm_file.write_text(yaml.safe_dump(doc, sort_keys=False))
    with Project.load(root) as project:
        yield project


def _rows(project: Project, text: str, *rules: str) -> dict[str, float]:
    p = project.analyze_definition(Definition("group_kind", text, rules))
    assert p.refused is None and p.metric is not None, p.message
    sql = proposal_sql(project.model, p, start="2024-10-01", end="2025-09-30")
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _hand(project: Project, levels: str) -> dict[str, float]:
    sql = (
        "select date_trunc('month', booked_tstamp), count(*) from core.parcels "
        f"where service_level in ({levels}) and booked_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    return {str(r[0])[:7]: float(r[1] or 0) for r in project.warehouse.run(sql).rows}


def _same(got: dict[str, float], want: dict[str, float]) -> bool:
    return len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items())


@pytest.mark.parametrize(
    ("text", "rules"),
    [
        ("Parcel volume", ("Only same_day express parcels",)),
        ("Parcels booked as same_day express", ()),
    ],
)
def test_a_value_said_before_its_group_keeps_the_value(
    grouped: Project, text: str, rules: tuple[str]
) -> None:
    got, want = _rows(grouped, text, *rules), _hand(grouped, "'same_day'")
    assert _same(got, want), (got, want)


def test_the_group_alone_keeps_the_group(grouped: Project) -> None:
    got, want = (
        _rows(grouped, "Parcel volume", "Only express parcels"),
        _hand(grouped, "'same_day', 'next_day'"),
    )
    assert _same(got, want), (got, want)
