"""Values read from what a foreign project's warehouse holds (issue 14, sixth round): a value of words and a
number by its short form ("t2" for "Tier 2"), country adjectives listed together as one dimension, and a
count of a word the catalog lacks refused rather than answered with another count.
"""

from __future__ import annotations

import datetime as dt

from metricmind.project import Project

AS_OF = dt.date(2024, 7, 3)


def test_a_numbered_value_by_its_initials(helpdesk: Project) -> None:
    res = helpdesk.resolver().resolve("t1 against t2 ticket volume in june", as_of=AS_OF)
    assert res.answerable, res.reason
    assert [(f.field, f.op, f.values) for f in res.filters] == [
        ("agent__support_team", "in", ("Tier 1", "Tier 2"))
    ]
    assert [g[0] for g in res.group_by] == ["agent__support_team"]


def test_country_adjectives_listed_together_are_one_dimension(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("gmv from german and french sellers this year", as_of=AS_OF)
    assert [(f.field, f.op, set(f.values)) for f in res.filters] == [
        ("seller__seller_country", "in", {"DE", "FR"})
    ]


def test_a_count_of_a_word_the_catalog_lacks_is_refused(bazaar: Project) -> None:
    res = bazaar.resolver().resolve("how many german boutiques had a sale in june", as_of=AS_OF)
    assert not res.answerable
    assert res.confidence < 0.5
