"""A rule naming where a related entity's value comes from ("home_country from dim_guests", "Join
reservations to guests on guest_id"), on a project the rule was not written for (harbor, hotels): read as
covered only when the filter reaches that table many-to-one, and each proposal runs against hand SQL.

The blind split is never read here.
"""

from __future__ import annotations

from typing import Any

from metricmind.define import Definition
from metricmind.project import Project
from tests.benchload import load_bench

_SQL = """with months as (select cast(g.m as date) as month
    from generate_series(date '2025-01-01', date '2025-12-01', interval 1 month) as g(m))
  select months.month, coalesce(v.value, 0) as value from months left join (
      select cast(date_trunc('month', r.booked_at) as date) as month, count(*) as value
      from marts.fct_reservations r join marts.dim_guests g using (guest_id)
      where g.home_country = 'DE' group by 1
  ) as v on v.month = months.month order by months.month
"""


def _case(text: str, rules: list[str]) -> dict[str, Any]:
    return {
        "id": "x",
        "name": "german_bookings",
        "definition": text,
        "rules": rules,
        "expect": {"answerable": True, "sql": _SQL},
    }


def test_a_rule_naming_the_guests_table_is_covered_and_the_rows_are_as_by_hand(harbor: Project) -> None:
    b = load_bench("define_foreign")
    text = "Bookings made by guests from Germany, by booking month"
    for rule in ("home_country from dim_guests", "Join reservations to guests on guest_id"):
        p = harbor.analyze_definition(Definition("german_bookings", text, (rule,)))
        reading = next(r for r in p.rules if r.text == rule)
        assert reading.status == "covered", (rule, reading.reason)
        o = b.run_case(harbor, _case(text, [rule]), b.agent)
        assert o.outcome == "equal", (rule, o.detail)


def test_a_join_on_a_column_the_entity_graph_does_not_join_on_stays_unread(harbor: Project) -> None:
    text = "Bookings made by guests from Germany, by booking month"
    rule = "Join reservations to guests on hotel_id"
    p = harbor.analyze_definition(Definition("german_bookings", text, (rule,)))
    assert next(r for r in p.rules if r.text == rule).status == "unread"
