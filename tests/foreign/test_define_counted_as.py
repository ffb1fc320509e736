"""A negation followed by the category the words before it are not in ("cancelled reservations are not
counted as stayed", "trials don't count as paying"): what comes before the negation is dropped; the
category after it is no value to drop and no value to keep (``define/implied.py``: ``COUNTED_AS``). Found
by the metamorphic bench on the demo (seed 5: the trials were KEPT, at 0.75); checked on harbor against
hand SQL.
"""

from __future__ import annotations

import re

from metricmind.define import Definition
from metricmind.define.extend import proposal_sql
from metricmind.project import Project


def test_what_comes_before_a_negation_of_a_category_is_dropped(harbor: Project) -> None:
    text = "Reservations by arrival date, cancelled reservations are not counted as stayed"
    p = harbor.analyze_definition(Definition("not_cancelled", text, ()))
    assert p.refused is None and p.metric is not None, p.message
    kept = re.compile(r"(?<![!<>])= 'cancelled'")
    assert not any(r.status == "filter" and kept.search(r.predicate or "") for r in p.rules), p.rules
    sql = proposal_sql(harbor.model, p, start="2025-01-01", end="2025-12-31")
    got = {str(r[0])[:7]: float(r[1] or 0) for r in harbor.warehouse.run(sql).rows}
    hand = (
        "select date_trunc('month', arrival_date), count(*) from marts.fct_reservations "
        "where reservation_status <> 'cancelled' and arrival_date between '2025-01-01' and '2025-12-31' "
        "group by 1 order by 1"
    )
    want = {str(r[0])[:7]: float(r[1] or 0) for r in harbor.warehouse.run(hand).rows}
    assert len(want) >= 6 and all(abs(got.get(m, 0.0) - v) < 1e-6 for m, v in want.items()), (got, want)
