"""More classes of silently wrong proposals (issue 12), each fixed at its cause and checked on the demo with
phrasings of its own (the foreign projects' checks are in ``tests/foreign/test_define_generalize.py``):

- a value group the text defines ("mobile = iOS or web") keeps the values listed, not the catalog's group
  unioned with them;
- a word a parenthesis of values defines ("heavy features (feature api and integrations)") is no unknown
  value and no doubt;
- a rule that is only a scale ("a fraction between 0 and 1") is read;
- a value of a dimension the catalog counts an entity by ("upgrade customers", with ``new_customers`` =
  customers whose subscription started as *new*), read as a filter on another count of the entity, is
  unread; so is a filter the measure's own value never meets, and a count of an entity read as an amount.

Each answer is run on DuckDB against hand SQL, or must carry the unread item.
"""

from __future__ import annotations

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.extend import warehouse_columns
from metricmind.define.groupdefs import defined_group
from metricmind.define.ruleforms import scale_of
from metricmind.project import Project
from tests.define import monthly
from tests.define.monthly import assert_same_as_hand, propose

demo = monthly.demo  # this file's own copy of the demo (a fixture)


def _analyze(project: Project, text: str, *rules: str) -> Proposal:
    return project.analyze_definition(Definition("x", text, rules))


def _unread(p: Proposal) -> list[str]:
    return [r.reason for r in p.rules if r.status == "unread"]


def test_a_group_word_defined_by_the_text_is_found() -> None:
    assert defined_group("mobile = iOS or web") == (("mobile",), ("ios", "or", "web"))
    assert defined_group("mobile: iOS, web") is not None
    assert defined_group("Only mobile") is None
    assert defined_group("Revenue from mobile or web") is None


def test_a_group_the_rule_defines_keeps_only_the_values_it_lists(demo: Project) -> None:
    p = propose(
        demo, "alerts_users", "Distinct users using alerts on mobile", "mobile = iOS or web", "alerts only"
    )
    assert "android" not in str(p.metric), p.metric
    assert_same_as_hand(
        demo,
        p,
        """
        select m.month, count(distinct e.user_id)
        from months m
        left join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
          and e.feature = 'alerts' and e.platform in ('ios', 'web')
        group by 1 order by 1
        """,
    )


def test_a_group_said_beside_another_value_is_still_a_union(demo: Project) -> None:
    p = propose(demo, "x", "Product events", "Only mobile or web")  # no definition: both
    assert "'android'" in str(p.metric) and "'web'" in str(p.metric), p.metric


def test_a_word_a_parenthesis_of_values_defines_is_read(demo: Project) -> None:
    p = propose(
        demo, "heavy_feature_events", "Product events of heavy features (feature api and integrations)"
    )
    assert not _unread(p), _unread(p)
    assert_same_as_hand(
        demo,
        p,
        """
        select m.month, count(e.event_id)
        from months m
        left join fct_user_events_canonical e on date_trunc('month', e.event_date) = m.month
          and e.feature in ('api', 'integrations')
        group by 1 order by 1
        """,
    )


def test_a_rule_that_is_only_a_scale_is_read() -> None:
    assert scale_of("a fraction between 0 and 1") == 1.0
    assert scale_of("a number from 0 to 100") == 100.0
    assert scale_of("a share of paid users") is None


def test_a_value_the_catalog_counts_customers_by_is_unread_on_another_count(demo: Project) -> None:
    for text in ("Upgrade customers in APAC each month", "Reactivation accounts per month"):
        p = _analyze(demo, text)
        said = " ".join(_unread(p))
        assert p.refused or said, (text, p.metric)


def test_the_value_the_catalog_counts_by_still_answers(demo: Project) -> None:
    p = propose(demo, "apac_new", "New customers in APAC each month", "APAC only")
    assert not _unread(p), _unread(p)
    assert_same_as_hand(
        demo,
        p,
        """
        select m.month, count(distinct s.customer_id)
        from months m
        left join (fct_subscriptions_canonical s
          join dim_customers_canonical c on c.customer_id = s.customer_id and c.region = 'APAC')
          on s.change_type = 'new' and date_trunc('month', s.started_at) = m.month
        group by 1 order by 1
        """,
    )


def test_a_filter_the_measure_s_own_value_never_meets_is_unread(demo: Project) -> None:
    p = _analyze(demo, "New customers in APAC each month", "Only upgrade contracts")
    assert p.refused or any("never meet" in r for r in _unread(p)), (p.metric, p.rules)


def test_a_count_of_an_entity_read_as_an_amount_is_unread(demo: Project) -> None:
    p = analyze(
        Definition("x", "Downgrade accounts each month"),
        demo.model,
        columns=warehouse_columns(demo.warehouse),
    )
    assert p.refused or any("an amount" in r for r in _unread(p)), (p.metric, p.rules)
    money = analyze(Definition("x", "Downgrade MRR each month"), demo.model)
    assert not any("an amount" in r for r in _unread(money)), money.rules
