"""Values the catalog does not declare (campaign names) are read from the warehouse and resolved."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import sqlglot

from metricmind.compiler.dialects import DIALECTS
from metricmind.compiler.values import distinct_values_sql
from metricmind.project import Project
from metricmind.resolve import Resolver

DAY = dt.date(2026, 6, 30)


def test_distinct_values_sql_in_every_dialect(resolve_demo: Project) -> None:
    for name, dialect in DIALECTS.items():
        statements = distinct_values_sql(resolve_demo.model, dialect, 200)
        assert "touchpoint__campaign" in statements and "customer__region" not in statements  # declared
        assert not any(n.split("__")[-1].startswith("is_") for n in statements)  # flags skipped
        # a lookup table's key is listed under its entity's name only where no name column says it
        assert "marketing_channel" not in statements
        for sql in statements.values():
            assert sqlglot.parse_one(sql, read=dialect.sqlglot) is not None, name


def test_dimension_values_are_cached_per_warehouse_state(resolve_demo_dir: Path, tmp_path: Path) -> None:
    root = tmp_path / "demo"
    shutil.copytree(resolve_demo_dir, root, ignore=shutil.ignore_patterns(".metricmind"))
    with Project.load(root) as project:
        values = project.dimension_values()
        assert "linkedin_leadgen" in values["touchpoint__campaign"]
        assert "customer__name" not in values  # longer than the limit: left out
        assert (root / ".metricmind" / "dimension_values.json").exists()
        assert project.dimension_values() == values
        assert project.dimension_values(limit=5) == {}  # every list is longer than five
    missing = tmp_path / "empty"
    shutil.copytree(resolve_demo_dir, missing, ignore=shutil.ignore_patterns(".metricmind", "*.duckdb"))
    with Project.load(missing) as project:
        assert project.dimension_values() == {}


def test_observed_values_resolve(resolve_demo: Project) -> None:
    resolver = Resolver.for_project(
        resolve_demo.model, resolve_demo.root, values=resolve_demo.dimension_values()
    )

    def filters(question: str) -> list[tuple[str, str, tuple[str, ...]]]:
        res = resolver.resolve(question, as_of=DAY)
        assert res.answerable, res.reason
        return [(f.field, f.op, f.values) for f in res.filters]

    campaign = "touchpoint__campaign"
    assert filters("touchpoints for the linkedin leadgen campaign") == [
        (campaign, "=", ("linkedin_leadgen",))
    ]
    # a run of words only one value has
    assert filters("touchpoints from the LinkedIn ABM campaign") == [
        (campaign, "=", ("linkedin_abm_enterprise",))
    ]
    # declared values win over observed ones; everyday words stay words
    assert filters("touchpoints from paid search") == [("touchpoint__channel", "=", ("paid_search",))]
    # an everyday word that is a value stays a word while something else explains it; left unexplained
    # in a complete reading it is the value ("from direct": the direct channel)
    assert filters("new customers from direct") == [("customer__acquisition_channel", "=", ("direct",))]
