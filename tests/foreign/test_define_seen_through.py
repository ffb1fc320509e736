"""A rule keeping what the source leaves out, when the source is a ratio or derived metric whose INPUTS say
so (``define/sourcetexts.py``): pixelforge's `arppu` is `iap_revenue` ("refunds excluded") over
`paying_users` ("… not refunded"); its own words never say refunds. "Only refunded purchases" of it would
divide nothing by nothing, read at 0.9 before; it must be refused or unread, never a confident filter. The
same for a rule keeping values of several dimensions at once ("refunded purchases by iOS players"), a form
the check skipped. The demo's "trial customers in APAC" as the denominator of a composed ratio (the case the
metamorphic bench found) is checked in ``tests/define/test_seen_through.py``.

A rule the inputs do not contradict still reads and runs against hand SQL.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.define.proposal import Proposal
from metricmind.project import Project


def _propose(project: Project, text: str, *rules: str) -> Proposal:
    return project.analyze_definition(Definition("seen_through", text, rules))


def _not_confident(p: Proposal) -> bool:
    unread = any(r.status == "unread" for r in p.rules)
    return p.refused is not None or p.metric is None or unread or p.confidence <= 0.5


def test_a_rule_keeping_what_a_ratio_s_input_leaves_out_is_not_read(pixelforge: Project) -> None:
    for rules in (
        ("only refunded purchases",),
        ("only refunded purchases by iOS players",),
        ("Keep only refunded purchases",),
    ):
        p = _propose(pixelforge, "ARPPU", *rules)
        assert _not_confident(p), (rules, p.confidence, p.rules)


def test_a_rule_the_inputs_do_not_contradict_still_runs(pixelforge: Project) -> None:
    p = _propose(pixelforge, "ARPPU", "only iOS players")
    assert p.refused is None and p.metric is not None, p.message
    sql = proposal_sql(pixelforge.model, p, start="2025-01-01", end="2025-12-31")
    got = {str(r[0])[:7]: float(r[1] or 0) for r in pixelforge.warehouse.run(sql).rows}
    hand = """
        select date_trunc('month', i.purchased_at) as month,
               sum(case when not i.is_refunded then i.gross_revenue_usd else 0 end)
               / count(distinct case when not i.is_refunded then i.player_id end) as value
        from core.fct_iap_purchases i join core.dim_players p using (player_id)
        where p.platform = 'ios' group by 1 order by 1
    """
    want = {str(r[0])[:7]: float(r[1] or 0) for r in pixelforge.warehouse.run(hand).rows}
    assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (got, want)
