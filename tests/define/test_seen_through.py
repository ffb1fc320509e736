"""The source's own "no" words and exclusions seen through a ratio or derived metric to its inputs
(``define/sourcetexts.py``): "trial customers in APAC" as the denominator of a composed ratio reads
`active_customers` ("Number of paying customers", and the project says paying is ``is_trial = false``);
keeping trials of it keeps nothing it counts. Found by the metamorphic bench (seeds 3 and 5), where the
rule named a flag and a value at once, a form the check skipped. Other projects' phrasings of the class are
in ``tests/foreign/test_define_seen_through.py``.
"""

from __future__ import annotations

from metricmind.define import Definition
from metricmind.define.proposal import Proposal
from metricmind.project import Project


def _not_confident(p: Proposal) -> bool:
    unread = any(r.status == "unread" for r in p.rules)
    return p.refused is not None or p.metric is None or unread or p.confidence <= 0.5


def test_trials_kept_of_a_ratio_s_paying_denominator_are_not_read(demo: Project) -> None:
    for text, rules in (
        (
            "Month-end recurring revenue divided by the number of trial customers in APAC at the end of the month",
            (),
        ),
        ("ARPA of trial customers in APAC", ()),
        ("ARPA", ("only trial customers in EMEA",)),
    ):
        p = demo.analyze_definition(Definition("seen_through", text, rules))
        assert _not_confident(p), (text, p.confidence, p.rules)


def test_trials_dropped_of_the_same_ratio_still_read(demo: Project) -> None:
    p = demo.analyze_definition(Definition("seen_through", "ARPA of customers in APAC", ()))
    assert p.refused is None and p.metric is not None, p.message
