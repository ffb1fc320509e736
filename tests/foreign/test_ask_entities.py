"""``ask`` reads entities, counts, yes/no values and filtered metrics from the project, not the demo's words.

Each case is a mechanism of ``metricmind/resolve/entities.py`` and its neighbours, checked on a project whose
names the resolver never saw: the party a business serves (the bazaar's buyers, the helpdesk's accounts), the
catalog's own count of an entity, the metric a catalog defines for one value, the negatives of a yes/no word.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from metricmind.project import Project
from metricmind.resolve import Resolver
from metricmind.resolve.entities import counts_of, filtered_twin

AS_OF = dt.date(2024, 7, 3)
DEMO = Path(__file__).resolve().parents[2] / "metricmind" / "demo" / "project"


def _read(project: Project, question: str) -> dict[str, object]:
    res = project.resolver().resolve(question, as_of=AS_OF)
    assert res.answerable, res.reason
    return {
        "metrics": res.metrics,
        "group_by": res.group_by,
        "filters": [(f.field, f.op, f.values, f.metric) for f in res.filters],
        "order_by": res.order_by,
    }


def test_the_party_is_the_projects_own_customer_like_entity(bazaar: Project, helpdesk: Project) -> None:
    demo = Resolver(Project.load(DEMO, strict=False).model)
    assert (demo.entities.party, bazaar.resolver().entities.party) == ("customer", "buyer")
    assert helpdesk.resolver().entities.party == "account"
    assert "client" in helpdesk.resolver().entities.party_words  # generic words mean the party
    assert bazaar.resolver().entities.rank("buyer__buyer_country") == 0
    assert bazaar.resolver().entities.rank("seller__seller_country") == 1


def test_a_count_under_a_threshold_is_the_catalogs_count_of_the_entity(
    bazaar: Project, helpdesk: Project
) -> None:
    assert counts_of(bazaar.model, "buyer", "orders")[0] == "purchasing_buyers"  # buyers with orders
    assert counts_of(bazaar.model, "buyer")[0] == "new_buyers"  # every buyer, on the buyers' model
    read = _read(bazaar, "number of buyers with more than 5 orders in h1")
    assert read["metrics"] == ["purchasing_buyers"]
    assert read["filters"] == [("buyer", ">", ("5.0",), "orders")]
    read = _read(helpdesk, "how many accounts have over 20 tickets")
    assert read["metrics"] == ["accounts_created"]
    assert read["filters"] == [("account", ">", ("20.0",), "ticket_volume")]


def test_a_metric_and_one_value_is_the_catalogs_metric_for_that_value(
    bazaar: Project, helpdesk: Project
) -> None:
    assert filtered_twin(bazaar.model, "orders", "order__order_status", "refunded") == "refunded_orders"
    assert filtered_twin(bazaar.model, "orders", "order__order_status", "cancelled") is None
    assert _read(bazaar, "number of refunded orders by month")["metrics"] == ["refunded_orders"]
    read = _read(helpdesk, "urgent tickets by channel")
    assert (read["metrics"], read["filters"]) == (["urgent_ticket_volume"], [])
    read = _read(bazaar, "cancelled orders per month")  # no such metric: orders, filtered
    assert read["metrics"] == ["orders"]
    assert read["filters"] == [("order__order_status", "=", ("cancelled",), None)]


def test_a_value_the_metric_fixes_already_is_no_filter(bazaar: Project) -> None:
    read = _read(bazaar, "completed gmv (no cancellations) by month")
    assert (read["metrics"], read["filters"]) == (["completed_gmv"], [])


def test_both_sides_of_a_yes_no_group_by_it(bazaar: Project, helpdesk: Project) -> None:
    read = _read(bazaar, "gmv for verified versus unverified sellers last quarter")
    assert (read["group_by"], read["filters"]) == ([("seller__is_verified", None)], [])
    read = _read(bazaar, "gmv from unverified sellers")
    assert read["filters"] == [("seller__is_verified", "=", ("false",), None)]
    read = _read(helpdesk, "solved tickets by inactive agents")
    assert read["filters"] == [("agent__is_active", "=", ("false",), None)]


def test_a_statistic_said_first_and_a_time_sorted_fastest_first(helpdesk: Project) -> None:
    assert _read(helpdesk, "p50 first response time by channel")["metrics"] == ["first_response_time_p50"]
    read = _read(helpdesk, "average first response time by team, fastest first")
    assert read["order_by"] == [("first_response_time_avg", False)]


def test_a_change_on_the_period_before_is_the_catalogs_change_metric(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("how did gmv change from the previous month, by month in q2", as_of=AS_OF)
    assert res.answerable, res.reason
    assert (res.metrics, res.comparison) == (["gmv_mom_change"], None)
    assert res.group_by == [("metric_time", "month")]
    res = bazaar.resolver().resolve("orders vs the previous month", as_of=AS_OF)  # no such metric
    assert (res.metrics, res.comparison) == (["orders"], "previous_period")
