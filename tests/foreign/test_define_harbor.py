"""Define readings found on the harbor (hotel group) development split, checked with phrasings of their own
on ANOTHER project (lastmile, parcel delivery) where one has the structure, else on harbor itself (no other
project has a count named by a ratio word, or two country dimensions whose names do not say their entity):
each proposal runs against hand SQL, row by row.

- a rule that lists what a group word means, in the words a dimension's description uses for that value
  ("direct means our website, the call centre, …" with ``channel_group`` described "direct (our website,
  call centre, …)"), keeps that value;
- a metric whose own name says a ratio word ("Rate quotes …" of `rate_quotes`) is no ratio asked for;
- the entity said before a value of two entities' dimensions ("guests from Germany") says whose;
- an unknown value is offered the nearest value only when it is near.

The blind split is never read here.
"""

from __future__ import annotations

from typing import Any

from metricmind.define import Definition
from metricmind.define.fit import mismatch
from metricmind.project import Project
from tests.benchload import load_bench

_MONTHS = (
    "with months as (select cast(g.m as date) as month "
    "from generate_series(date '2024-10-01', date '2025-09-01', interval 1 month) as g(m))"
)


def _case(name: str, text: str, rules: list[str], sql: str) -> dict[str, Any]:
    return {
        "id": name,
        "name": name,
        "definition": text,
        "rules": rules,
        "expect": {"answerable": True, "sql": sql},
    }


def _routes(where: str) -> str:
    return f"""{_MONTHS}
      select months.month, coalesce(v.value, 0) as value
      from months
      left join (
          select cast(date_trunc('month', r.route_dt) as date) as month, count(*) as value
          from core.routes r join core.hubs h on h.hub_code = r.hub_code
          where {where}
          group by 1
      ) as v on v.month = months.month
      order by months.month
    """


def test_a_rule_listing_a_described_value_keeps_it(lastmile: Project) -> None:
    b = load_bench("define_foreign")
    for text, rule in (
        ("Routes driven from our cargo-bike hubs", "micro hub means inner-city cargo bikes"),
        ("Routes driven from the big hubs", "By sort center we mean vans"),
    ):
        value = "micro_hub" if "micro" in rule else "sort_center"
        o = b.run_case(lastmile, _case("x", text, [rule], _routes(f"h.hub_type = '{value}'")), b.agent)
        assert o.outcome == "equal", (text, o.detail)


def test_a_rule_listing_other_items_than_the_description_is_not_read_as_the_value(lastmile: Project) -> None:
    # "micro hub means cargo bikes and vans": not the catalog's "micro_hub (inner-city cargo bikes)"
    p = lastmile.analyze_definition(
        Definition("x", "Routes driven from our cargo-bike hubs", ("micro hub means cargo bikes and vans",))
    )
    assert not any(r.status == "filter" and "hub_type" in (r.predicate or "") for r in p.rules), p.rules


def test_a_ratio_word_of_the_metric_s_own_name_asks_for_no_ratio(harbor: Project) -> None:
    # no other project has a count whose name says "rate": harbor's `rate_quotes`, in words of this test
    b = load_bench("define_foreign")
    sql = """with months as (select cast(g.m as date) as month
        from generate_series(date '2025-01-01', date '2025-12-01', interval 1 month) as g(m))
      select months.month, coalesce(v.value, 0) as value from months left join (
          select cast(date_trunc('month', quoted_at) as date) as month, count(*) as value
          from marts.fct_rate_quotes group by 1
      ) as v on v.month = months.month order by months.month
    """
    o = b.run_case(harbor, _case("x", "Rate quotes we gave out, by the month of the quote", [], sql), b.agent)
    assert o.outcome == "equal", o.detail
    # a ratio word besides the name still asks for one
    assert mismatch(Definition("x", "Average rate quotes"), harbor.model, harbor.model.metrics["rate_quotes"])


def test_the_entity_said_before_a_place_picks_its_country(harbor: Project) -> None:
    # a country is a value of the guest's home_country and of the hotel's country_code; "guests from …"
    # says whose (no other project has two country dimensions whose names do not say their entity)
    b = load_bench("define_foreign")
    for text, code in (
        ("Bookings made by guests from the United Kingdom, by booking month", "GB"),
        ("New reservations from guests from Denmark, dated by booking date", "DK"),
    ):
        sql = f"""with months as (select cast(g.m as date) as month
            from generate_series(date '2025-01-01', date '2025-12-01', interval 1 month) as g(m))
          select months.month, coalesce(v.value, 0) as value from months left join (
              select cast(date_trunc('month', r.booked_at) as date) as month, count(*) as value
              from marts.fct_reservations r join marts.dim_guests g using (guest_id)
              where g.home_country = '{code}' group by 1
          ) as v on v.month = months.month order by months.month
        """
        o = b.run_case(harbor, _case("x", text, [], sql), b.agent)
        assert o.outcome == "equal", (text, o.detail)


def test_an_unknown_value_names_a_nearest_value_only_when_it_is_near(lastmile: Project) -> None:
    # harbor's "our Madrid hotel" was offered 'Harbor Bristol Harbourside'; a far-off value is no suggestion
    far = lastmile.analyze_definition(Definition("x", "Parcels booked on the platinum service level"))
    assert far.refused == "unknown_value" and "nearest" not in far.message, far.message
    assert "'economy'" in far.message  # the values are listed instead
    near = lastmile.analyze_definition(Definition("x", "Parcels booked on the ecomony service level"))
    assert near.refused == "unknown_value" and "nearest is 'economy'" in near.message, near.message


def test_a_date_said_by_a_pronoun_is_read_only_when_the_metric_says_it(
    lastmile: Project, harbor: Project
) -> None:
    p = lastmile.analyze_definition(
        Definition("x", "Parcels of key accounts, counted on the day they were made")
    )
    assert any(r.status == "unread" and "they were made" in r.reason for r in p.rules), p.rules
    # harbor's `bookings_made` is described "… counted on the day they were made": read, rows as by hand
    b = load_bench("define_foreign")
    sql = """with months as (select cast(g.m as date) as month
        from generate_series(date '2025-01-01', date '2025-12-01', interval 1 month) as g(m))
      select months.month, coalesce(v.value, 0) as value from months left join (
          select cast(date_trunc('month', booked_at) as date) as month, count(*) as value
          from marts.fct_reservations group by 1
      ) as v on v.month = months.month order by months.month
    """
    o = b.run_case(harbor, _case("x", "Bookings made, counted on the day they were made", [], sql), b.agent)
    assert o.outcome == "equal", o.detail
