"""A balance asked at the end of a longer period: "policies in force at the end of last year", "arr by region end
of 2024", "mrr end of last quarter".

``timespans`` reads "the end of <last year | last quarter | 2024>" as the period's closing month, the range on
which a snapshot kept by day (a daily balance whose measure reads the last day) gives its closing figure. A
snapshot kept by month or coarser (a month-end MRR) gives the value of its last month for any longer period
already, so the question is the whole period there, as "mrr for 2024" is: its range is widened back, and the
figure is the same either way. Read from each metric's finest grain, never from a catalog's words.
"""

from __future__ import annotations

import datetime as dt
import re

from metricmind.resolve.coarse import coarsest_grain
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.timespans import add_months
from metricmind.spec.model import Model

_END_OF = re.compile(r"\bend of (?:the )?(?:\w+ (?P<u>year|yr|quarter|qtr)|(?P<y>20\d\d))\b")


def whole_period_kept(res: Resolution, model: Model) -> None:
    """Widen an "end of <year | quarter>" closing month to the whole period when every metric is kept by month
    or coarser (``coarse.coarsest_grain``); a metric kept by day keeps the closing month.
    """
    if not res.answerable or res.time_range is None or res.comparison:
        return
    spans = res.spans.get("time_range", [])
    if len(spans) != 1 or coarsest_grain(res, model) is None:
        return
    m = _END_OF.search(spans[0].text.lower())
    if m is None:
        return
    start, end = res.time_range
    if end - start > dt.timedelta(days=31):
        return  # (not the closing month: another phrase said the range)
    months = 3 if m.group("u") in ("quarter", "qtr") else 12
    res.time_range = (add_months(end, -months), end)
    res.time_unit = "quarter" if months == 3 else "year"
