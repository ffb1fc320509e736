"""Fuzzing the filter parser from a grammar of real filters, through compile and execution.

Filters are drawn from a grammar of what people write in ``where:`` (dimension, time-dimension, entity
and metric references, comparisons, IN lists, BETWEEN, LIKE, IS NULL, AND/OR/NOT, functions, literals
of every type) and then damaged (a cut, a stray quote or bracket, a wrong reference). For each one:
``parse_where`` answers with a condition or a ``FilterError`` that quotes the filter; an accepted filter
either compiles into a query for the shop project or is refused with a metricmind error; a compiled
query runs on the shop's DuckDB warehouse or fails with a ``WarehouseError`` — never any other exception.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricmind.errors import FilterError, MetricmindError
from metricmind.project import Project
from metricmind.spec.filters import parse_where
from metricmind.spec.query import MetricQuery

DIMENSIONS = [
    "{{ Dimension('order__status') }}",
    "{{ Dimension('order__is_gift') }}",
    "{{ Dimension('customer__segment') }}",
    "{{ Dimension('customer__region__continent') }}",
    "{{ Dimension('customer__acquisition_channel') }}",
    "{{ TimeDimension('metric_time', 'month') }}",
    "{{ TimeDimension('order__ordered_at', 'day') }}",
    "{{ Entity('customer') }}",
    "{{ Metric('revenue', group_by=['customer']) }}",
    "{{ Dimension('customer__no_such_thing') }}",
    "{{ Dimension(order__status) }}",
    "{{ Dimension('order__status').grain('month') }}",
    "customer__segment",
    "metric_time__day",
]
LITERALS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: repr(float(f))),
    st.text(alphabet=st.characters(blacklist_characters="'\x00"), max_size=10).map(lambda s: f"'{s}'"),
    st.sampled_from(
        ["'SMB'", "'Enterprise'", "'completed'", "true", "false", "null", "date '2024-01-31'", "'2024-01-01'"]
    ),
)
COMPARE = st.sampled_from(["=", "<>", "!=", "<", ">", "<=", ">="])
FUNCTIONS = st.sampled_from(["lower", "upper", "trim", "coalesce", "length", "abs", "date_trunc"])


@st.composite
def atom(draw: st.DrawFn) -> str:
    ref = draw(st.sampled_from(DIMENSIONS))
    if draw(st.integers(0, 4)) == 0:
        fn = draw(FUNCTIONS)
        ref = f"{fn}('month', {ref})" if fn == "date_trunc" else f"{fn}({ref})"
    form = draw(st.integers(0, 5))
    if form == 0:
        return f"{ref} {draw(COMPARE)} {draw(LITERALS)}"
    if form == 1:
        values = ", ".join(draw(st.lists(LITERALS, min_size=1, max_size=4)))
        return f"{ref} {draw(st.sampled_from(['in', 'not in']))} ({values})"
    if form == 2:
        return f"{ref} between {draw(LITERALS)} and {draw(LITERALS)}"
    if form == 3:
        return f"{ref} is {draw(st.sampled_from(['null', 'not null']))}"
    if form == 4:
        return f"{ref} {draw(st.sampled_from(['like', 'ilike']))} {draw(LITERALS)}"
    return f"{ref} {draw(COMPARE)} {draw(st.sampled_from(DIMENSIONS))}"


condition = st.recursive(
    atom(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" and ", " or "]), inner).map("".join),
        inner.map(lambda c: f"not ({c})"),
        inner.map(lambda c: f"({c})"),
    ),
    max_leaves=4,
)


@st.composite
def damaged(draw: st.DrawFn) -> str:
    text = draw(condition)
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 6)))
        junk = draw(
            st.sampled_from(["'", '"', "(", ")", "{{", "}}", ";", "--", "/*", "@", "$1", "", " or 1=1"])
        )
        text = text[:i] + junk + text[j:]
    return text


FILTERS = st.one_of(condition, damaged())


@settings(max_examples=500, deadline=None)
@given(
    text=FILTERS, dialect=st.sampled_from(["duckdb", "postgres", "snowflake", "bigquery", "spark", "trino"])
)
def test_parse_where_gives_a_condition_or_a_clear_error(text: str, dialect: str) -> None:
    try:
        parsed = parse_where(text, dialect)
    except FilterError as exc:
        assert exc.message.startswith("filter "), exc.message
        assert exc.hint or ":" in exc.message
        return
    assert parsed.condition is not None
    assert all(key in parsed.condition.sql() for key in parsed.refs)


@pytest.fixture(scope="module")
def warehouse_shop(shop: Project) -> Project:
    return shop


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=FILTERS)
def test_an_accepted_filter_compiles_and_runs_or_fails_clearly(warehouse_shop: Project, text: str) -> None:
    try:
        query = MetricQuery.build("revenue", ["metric_time__month"], where=[text], limit=5)
        result = warehouse_shop.run(query, source="fuzz")
    except MetricmindError as exc:
        assert str(exc).strip()
        return
    assert len(result.rows) <= 5
