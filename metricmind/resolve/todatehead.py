"""A period-to-date metric said by its head noun ("revenue ytd" for "Service Revenue YTD"): where the catalog
has one to-date metric whose name or label ends in that noun and that period, the short phrase is that metric,
as "mtd revenue" is ``revenue_mtd``. Read from the catalog's names and labels, no project's words.
"""

from __future__ import annotations

import re
from collections import defaultdict

from metricmind.spec.model import Model

TO_DATE_LAST = re.compile(r"(.+?)\s+([wmqy]td|(?:week|month|quarter|year)\s+to\s+date)")
"""A metric's name or label ending in a period to date ("service revenue ytd")."""


def to_date_heads(model: Model) -> dict[str, str]:
    """Phrase → the one to-date metric it names: "<head noun> <period>" and "<period> <head noun>"."""
    owners: dict[str, set[str]] = defaultdict(set)
    for m in model.metrics.values():
        for said in (m.name.replace("_", " "), re.sub(r"\(.*?\)", " ", m.label or "")):
            found = TO_DATE_LAST.fullmatch(said.replace("-", " ").strip().lower())
            if found is None or len(found.group(1).split()) < 2:
                continue
            head, period = found.group(1).split()[-1], found.group(2)
            owners[f"{head} {period}"].add(m.name)
            owners[f"{period} {head}"].add(m.name)
    return {phrase: next(iter(names)) for phrase, names in owners.items() if len(names) == 1}
