"""Property: for every additive metric and every dimension a query accepts (without asking for overlapping
groups), the groups (the NULL group included) add up to the ungrouped total.

Checked over generated schemas (primary, unique, natural and foreign entities, foreign↔foreign links,
multi-hop chains, NULL and dangling keys) built as real DuckDB tables; the demo is checked in
``test_demo_breakdowns.py``.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricmind.errors import FanOutError, JoinError, QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery

TAGS = ("tag_a", "tag_b")  # entities that are foreign everywhere: foreign↔foreign links only


@dataclass(frozen=True)
class ModelSpec:
    """One generated semantic model: its own entity's type, the entities it refers to, its row count."""

    index: int
    own: str  # primary | unique | natural | none
    refs: tuple[int, ...]
    tags: tuple[str, ...]
    rows: int


@st.composite
def schemas(draw: st.DrawFn) -> tuple[list[ModelSpec], int]:
    n = draw(st.integers(2, 5))
    models = []
    for i in range(n):
        others = [j for j in range(n) if j != i]
        models.append(
            ModelSpec(
                i,
                draw(st.sampled_from(["primary", "primary", "unique", "natural", "none"])),
                tuple(draw(st.lists(st.sampled_from(others), max_size=2, unique=True))),
                tuple(draw(st.lists(st.sampled_from(TAGS), max_size=1, unique=True))),
                draw(st.integers(0, 12)),
            )
        )
    return models, draw(st.integers(0, 2**32 - 1))


def yaml_of(models: list[ModelSpec]) -> str:
    lines = ["semantic_models:"]
    for m in models:
        entities = []
        if m.own != "none":
            entities.append(f"{{name: e{m.index}, type: {m.own}, expr: k}}")
        entities += [f"{{name: e{j}, type: foreign, expr: f{j}}}" for j in m.refs]
        entities += [f"{{name: {t}, type: foreign, expr: {t}}}" for t in m.tags]
        lines += [
            f"  - name: m{m.index}",
            f"    model: ref('m{m.index}')",
            "    defaults: {agg_time_dimension: occurred_on}",
        ]
        if m.own not in ("primary",):
            lines.append(f"    primary_entity: row{m.index}")
        lines += [
            f"    entities: [{', '.join(entities)}]" if entities else "    entities: []",
            "    dimensions:",
            "      - {name: occurred_on, type: time, type_params: {time_granularity: day}}",
            f"      - {{name: d{m.index}, type: categorical, expr: d}}",
            "    measures:",
            f"      - {{name: total{m.index}, agg: sum, expr: v}}",
            f"      - {{name: rows{m.index}, agg: count, expr: '1'}}",
            f"      - {{name: flags{m.index}, agg: sum_boolean, expr: v > 5}}",
        ]
    lines.append("metrics:")
    for m in models:
        for kind in ("total", "rows", "flags"):
            lines.append(
                f"  - {{name: {kind}_m{m.index}, type: simple, type_params: {{measure: {kind}{m.index}}}}}"
            )
    return "\n".join(lines) + "\n"


def build(root: Path, models: list[ModelSpec], seed: int) -> Project:
    rnd = random.Random(seed)
    (root / "models").mkdir(parents=True)
    (root / "models" / "gen.yml").write_text(yaml_of(models))
    (root / "metricmind.yml").write_text("name: gen\nwarehouse: {type: duckdb, path: gen.duckdb}\n")
    con = duckdb.connect(str(root / "gen.duckdb"))
    try:
        for m in models:
            cols = ["k integer", "d varchar", "v integer", "occurred_on date"]
            cols += [f"f{j} integer" for j in m.refs] + [f"{t} integer" for t in m.tags]
            con.execute(f"create table m{m.index} ({', '.join(cols)})")
            keys: list[Any] = list(range(1, m.rows + 1))
            rnd.shuffle(keys)
            if m.own == "unique" and keys:
                keys[0] = None  # a unique key may be missing on a row
            for r in range(m.rows):
                key = rnd.randrange(1, 5) if m.own in ("natural", "none") else keys[r]
                row: list[Any] = [
                    key,
                    rnd.choice(["x", "y", "z", None]),
                    rnd.choice([None, *range(-5, 20)]),
                    dt.date(2024, 1, 1) + dt.timedelta(days=rnd.randrange(30)),
                ]
                row += [rnd.choice([None, *range(1, 8)]) for _ in m.refs]  # 7 is often dangling
                row += [rnd.choice([None, 1, 2, 3]) for _ in m.tags]
                con.execute(f"insert into m{m.index} values ({', '.join('?' * len(row))})", row)
    finally:
        con.close()
    return Project.load(root)


def candidates(project: Project, metric: str) -> set[str]:
    """Every name worth trying: what is listed, plus every dimension and entity as any model names it."""
    names = {d.name for d in project.dimensions(metric) if d.name != "metric_time"}
    for sm in project.model.semantic_models.values():
        names |= project.graph.overlapping.reachable_names(sm.name)
        for d in sm.dimensions:
            for e in sm.entities:
                names.add(f"{e.name}__{d.name}")
    return names


def value(x: Any) -> float:
    return float(x or 0)


def check_adds_up(project: Project, metric: str) -> None:
    listed = {d.name for d in project.dimensions(metric)}
    total = value(project.run(MetricQuery.build(metric)).rows[0][0])
    for name in sorted(candidates(project, metric)):
        try:
            result = project.run(MetricQuery.build(metric, name))
        except FanOutError:
            assert name not in listed, f"{name} is listed for {metric} but refused"
            if metric.startswith("rows_"):
                check_membership(project, metric, name, total)
            continue
        except QueryError:
            assert name not in listed, f"{name} is listed for {metric} but refused"
            continue
        grouped = sum(value(r[-1]) for r in result.rows)
        assert math.isclose(grouped, total, abs_tol=1e-9), (
            f"{metric} by {name}: groups sum to {grouped}, total {total}\n{result.sql}"
        )
    for name in listed - {"metric_time"}:
        project.compile(MetricQuery.build(metric, name))  # every listed name is accepted


def check_membership(project: Project, metric: str, name: str, total: float) -> None:
    """Asked for, a fan-out breakdown of a row count puts every row in at least one group (the NULL
    group when nothing matches) and in each group at most once, and carries the true total.
    """
    try:
        result = project.run(MetricQuery.build(metric, name, allow_overlap=True))
    except JoinError as exc:
        assert "different join paths" in exc.message  # several fan-out paths: the user names one
        return
    assert result.overlapping == (name,)
    assert result.total is not None and value(result.total.rows[0][0]) == total
    counts = [value(r[-1]) for r in result.rows]
    assert all(c <= total for c in counts), (metric, name, counts, total)
    assert sum(counts) >= total, (metric, name, counts, total)
    assert len({r[0] for r in result.rows}) == len(result.rows)  # one row per group


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schemas())
def test_groups_add_up_to_the_total_on_generated_schemas(drawn: tuple[list[ModelSpec], int]) -> None:
    models, seed = drawn
    with tempfile.TemporaryDirectory() as tmp:
        project = build(Path(tmp) / "p", models, seed)
        try:
            for metric in sorted(project.model.metrics):
                check_adds_up(project, metric)
        finally:
            project.close()


def test_a_chain_and_a_foreign_link_by_hand(tmp_path: Path) -> None:
    """m0 → m1 → m2 is many-to-one all the way; m3 shares only a foreign tag with m0."""
    models = [
        ModelSpec(0, "primary", (1,), ("tag_a",), 12),
        ModelSpec(1, "primary", (2,), (), 6),
        ModelSpec(2, "unique", (), (), 5),
        ModelSpec(3, "natural", (), ("tag_a",), 9),
    ]
    project = build(tmp_path / "p", models, 7)
    listed = {d.name for d in project.dimensions("total_m0")}
    assert {"e1__d1", "e1__e2__d2"} <= listed
    assert not any("d3" in n for n in listed)
    for metric in project.model.metrics:
        check_adds_up(project, metric)
