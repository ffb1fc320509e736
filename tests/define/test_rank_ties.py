"""A tie in the ranking goes to the metric whose name says nothing the definition does not ("MRR for EMEA
customers": `mrr`, whose name is said, before `churned_mrr`, whose description shares "customer" as much),
checked against hand SQL on the demo.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.rank import rank
from metricmind.project import Project
from tests.define.monthly import assert_same_months, hand_months, proposal_months


def test_a_tie_goes_to_the_metric_named_whole(demo: Project) -> None:
    text = "MRR for APAC customers"
    ranked = rank(demo.model, Definition("x", text), f"x {text}")
    tied = [c.metric.name for c in ranked if c.score == ranked[0].score]
    assert len(tied) > 1 and tied[0] == "mrr"


def test_mrr_of_a_region_is_the_mrr_filtered(demo: Project) -> None:
    p = demo.analyze_definition(Definition("apac_mrr", "MRR for APAC customers", ("No trials",)))
    assert p.refused is None and p.metric is not None, p.message
    hand = """
    , ends as (select month, last_day(month) as month_end from months)
    select e.month, coalesce(sum(s.mrr), 0) as value
    from ends e left join (
      select s.* from fct_subscriptions_canonical s
      join dim_customers_canonical c on c.customer_id = s.customer_id
      where c.region = 'APAC' and not s.is_trial
    ) s on s.started_at <= e.month_end and (s.ended_at is null or s.ended_at > e.month_end)
    group by 1 order by 1
    """
    assert_same_months(proposal_months(demo, p), hand_months(demo, hand))


def test_a_top_named_by_more_words_than_the_plainer_name_stays_first(demo: Project) -> None:
    # `net_new_mrr` is named by its synonym "net MRR change"; `mrr`, second since the tie-break, is named by
    # "MRR" alone: the plainer name goes first only over a top named by no more than it (IAP revenue)
    p = demo.analyze_definition(Definition("ent_net_mrr", "Net MRR change for Enterprise-segment customers"))
    assert p.refused is None and p.metric is not None, p.message
    assert p.metric["config"]["meta"].get("based_on") == "net_new_mrr", p.metric
    hand = """
    select m.month,
      coalesce(sum(l.new_mrr + l.expansion_mrr - l.contraction_mrr - l.churned_mrr), 0) as value
    from months m left join (
      select l.* from mart_customer_lifecycle_canonical l
      join dim_customers_canonical c on c.customer_id = l.customer_id
      where c.segment = 'Enterprise'
    ) l on l.month_start = m.month
    group by 1 order by 1
    """
    assert_same_months(proposal_months(demo, p), hand_months(demo, hand))
