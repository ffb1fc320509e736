"""Values of one dimension read by different passes are joined (``metricmind.resolve.samefield``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.resolution import Filter
from metricmind.resolve.samefield import join_same_field

DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"


def test_equalities_on_one_dimension_are_one_membership() -> None:
    got = join_same_field(
        [
            Filter("shop__country", "=", ("Peru",)),
            Filter("shop__tier", "=", ("gold",)),
            Filter("shop__country", "in", ("Chile", "Peru")),
            Filter("shop__country", "!=", ("Bolivia",)),
            Filter("shop__country", "!=", ("Ecuador",)),
            Filter("shop", ">", ("100",), metric="sales"),
            Filter("shop", ">", ("200",), metric="sales"),
        ]
    )
    assert got == [
        Filter("shop__country", "in", ("Peru", "Chile")),
        Filter("shop__tier", "=", ("gold",)),
        Filter("shop__country", "not in", ("Bolivia", "Ecuador")),
        Filter("shop", ">", ("100",), metric="sales"),
        Filter("shop", ">", ("200",), metric="sales"),
    ]


def test_a_repeated_value_stays_an_equality() -> None:
    one = Filter("shop__country", "=", ("Peru",))
    assert join_same_field([one, one]) == [one]


def test_values_read_by_different_passes_are_either() -> None:
    demo = Resolver(Project.load(DEMO, strict=False).model)
    res = demo.resolve(
        "signups from the brazilian and germnay accounts last month", as_of=dt.date(2025, 6, 18)
    )
    assert res.answerable
    assert [(f.field, f.op, sorted(f.values)) for f in res.filters] == [
        ("customer__country", "in", ["Brazil", "Germany"])
    ]
