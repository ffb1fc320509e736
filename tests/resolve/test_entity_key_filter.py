"""A value read as an entity's own key ("room nights sold on DLX": the room type whose key is DLX) filters
through ``{{ Entity(...) }}``: before, the filter was written as a dimension of that name, which the compiler
refuses, so a question read at 1.0 failed to run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from metricmind.project import Project
from metricmind.resolve.resolution import Filter
from metricmind.spec.query import MetricQuery
from metricmind.testing.harbor import copy_harbor
from tests.shared_demo import loaded_copy


@pytest.fixture(scope="module")
def harbor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    with loaded_copy(tmp_path_factory, "harbor", copy_harbor) as project:
        yield project


def test_a_bare_name_is_written_as_an_entity_and_a_qualified_one_as_a_dimension() -> None:
    assert Filter("room_type", "=", ("DLX",)).where() == "{{ Entity('room_type') }} = 'DLX'"
    assert Filter("hotel__country", "in", ("PT", "DK")).where() == (
        "{{ Dimension('hotel__country') }} IN ('PT', 'DK')"
    )


def test_a_question_naming_an_entity_key_runs_and_equals_the_named_value(harbor: Project) -> None:
    res = harbor.resolver().resolve("room nights sold on DLX in september", as_of=date(2025, 12, 31))
    query = res.metric_query()
    assert query is not None
    assert any("Entity('room_type')" in w for w in query.where), query.where
    got = harbor.run(query).rows
    by_name = MetricQuery.build(
        metrics=list(query.metrics),
        where=["{{ Dimension('room_type__room_type_name') }} = 'Deluxe Harbour View'"],
        start=query.start,
        end=query.end,
    )
    want = harbor.run(by_name).rows
    assert got == want and got[0][0], (got, want)
