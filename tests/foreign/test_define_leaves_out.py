""" "Leaves out" in the third person ("revenue leaves out refunded purchases", "the count leaves out economy
parcels") is a negation like "leave out" (``define/rulecues.py``: ``NEGATIVE``): the values after it are
dropped. Read as keeping them before (pixelforge pf-def-012 refused as contradictory); checked on lastmile
against hand SQL.
"""

from __future__ import annotations

import pytest

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.project import Project


@pytest.mark.parametrize("rule", ["revenue leaves out economy parcels", "it leaves economy parcels out"])
def test_leaves_out_drops_the_values_after_it(lastmile: Project, rule: str) -> None:
    p = lastmile.analyze_definition(Definition("no_economy", "Shipping revenue", (rule,)))
    assert p.refused is None and p.metric is not None, p.message
    sql = proposal_sql(lastmile.model, p, start="2024-10-01", end="2025-09-30")
    got = {str(r[0])[:7]: float(r[1] or 0) for r in lastmile.warehouse.run(sql).rows}
    hand = (
        "select date_trunc('month', booked_tstamp), sum(shipping_fee_eur) from core.parcels "
        "where service_level is distinct from 'economy' and booked_tstamp >= '2024-10-01' group by 1 order by 1"
    )
    want = {str(r[0])[:7]: float(r[1] or 0) for r in lastmile.warehouse.run(hand).rows}
    assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (got, want)
