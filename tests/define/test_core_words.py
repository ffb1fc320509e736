"""Unknown words: one that is what the metric is refuses the definition; one that only qualifies it is a
doubt (confidence below 0.6, reported), never a refusal of the whole and never a confident answer. And
rules whose cue matches but whose words say more than the source does (a conversion to another currency,
"max, not sum") are unread, never covered."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.confidence import DOUBT
from metricmind.define.core import core_unknown
from metricmind.define.words import stems
from metricmind.project import Project


def _core(text: str, unknown: str, known: str = "") -> list[str]:
    vocab = set(known.split())
    return core_unknown(text, set(unknown.split()), lambda w: w in vocab, set())


def test_the_head_of_the_measured_phrase_is_core() -> None:
    assert _core(
        "Average Net Promoter Score of paying customers", "promoter score", "net paying customer"
    ) == [
        "promoter",
        "score",
    ]
    # a modifier before a known head only qualifies it; so does a clause after the head
    assert _core("Largest single subscription's MRR at month end", "single", "subscription mrr") == []
    assert _core("Monthly recurring revenue reported in euros", "euro", "recurring revenue") == []
    assert _core("Cash collected electronically", "electronically", "cash") == []  # an adverb names nothing


def test_the_word_right_before_the_head_says_its_kind() -> None:
    assert _core("Number of marketing qualified leads created per month", "qualified", "marketing lead") == [
        "qualified"
    ]
    assert _core("Gizmo net MRR", "gizmo", "net mrr") == []  # two words before the head: a qualifier


def test_a_lead_before_a_colon_is_a_title_when_the_rest_has_a_known_head() -> None:
    text = "API usage intensity: events per active API user"
    assert _core(text, "intensity", "api usage event active user") == []
    # the rest names nothing known: the lead is the metric
    assert _core("Churn intensity: how bad it got", "intensity bad", "churn") == ["intensity"]


def test_each_part_of_a_ratio_has_a_head() -> None:
    assert _core("Events per gizmo", "gizmo", "event") == ["gizmo"]
    assert _core("Gizmos divided by active users", "gizmo", "active user") == ["gizmo"]


def test_stems_agree_with_the_definition_reader() -> None:
    # the words are the reader's stems (plural and possessive folded), so the sets compare
    assert stems("scores") == ("score",)
    assert _core("Customer scores per month", "score", "customer") == ["score"]


def test_an_unknown_head_refuses_with_the_closest_metrics(demo: Project) -> None:
    p = analyze(Definition("nps", "Average Net Promoter Score of paying customers", ()), demo.model)
    assert p.refused == "no_data"
    assert "'promoter', 'score'" in (p.message or "") and "closest metrics" in (p.message or "")


def test_an_unknown_qualifier_is_a_doubt_not_a_refusal(demo: Project) -> None:
    p = analyze(Definition("mrr_eur", "Monthly recurring revenue reported in euros", ()), demo.model)
    assert p.refused is None and p.metric is not None
    assert p.confidence < DOUBT
    assert any("euro" in d for d in p.doubts)
    assert any(r.status == "unread" and r.text.startswith("(doubt)") for r in p.rules)


def test_a_conversion_the_source_does_not_say_is_unread(demo: Project) -> None:
    # `mrr` converts annual contracts to monthly equivalents; a currency conversion is something else
    p = analyze(
        Definition(
            "mrr_eur",
            "Monthly recurring revenue",
            ("Convert every subscription's MRR to EUR at the month-end exchange rate",),
        ),
        demo.model,
    )
    reading = p.rules[0]
    assert reading.status == "unread" and "'eur'" in reading.reason
    same = analyze(
        Definition("mrr2", "Monthly recurring revenue", ("Convert annual contracts to monthly equivalent",)),
        demo.model,
    )
    assert same.rules[0].status == "covered"


def test_max_not_sum_is_never_read_as_the_snapshot_rule(demo: Project) -> None:
    # "not sum" also says how a snapshot is read; "max, not sum" asks for another aggregation
    p = analyze(Definition("mrr_max", "MRR at month end", ("max, not sum",)), demo.model)
    reading = p.rules[0]
    assert reading.status == "unread" and "largest value" in reading.reason
    kept = analyze(
        Definition("mrr_eom", "MRR at month end", ("take the last day, don't sum days",)), demo.model
    )
    assert kept.rules[0].status == "covered"


def test_a_rule_saying_only_when_the_value_is_taken_asks_for_a_snapshot(demo: Project) -> None:
    # "as of month end" in a rule ranks like "at month end" in the definition: the month-end MRR with the
    # filters, not a flow of MRR movements whose description shares "pay"
    p = analyze(
        Definition(
            "growth_monthly_mrr",
            "MRR from Growth plan customers who pay month to month",
            ("Growth tier only", "monthly billing only", "excl. trials", "as of month end"),
        ),
        demo.model,
    )
    assert p.metric is not None and p.metric["type_params"] == {"measure": "mrr"}, p.metric
    assert [r.status for r in p.rules] == ["filter", "filter", "filter", "covered"]
    # the twist: a definition naming a flow keeps it, and the rule it cannot honour stays unread
    flow = analyze(Definition("emea_new", "New MRR from EMEA customers", ("as of month end",)), demo.model)
    assert flow.metric is not None and flow.metric["type_params"] == {"measure": "new_mrr"}
    assert flow.rules[0].status == "unread"
