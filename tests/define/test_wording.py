"""New wording the Define agent reads without a phrase list: snapshots, exclusions, values in the
definition, and doubts shown instead of silently wrong answers (each phrased unlike any case file)."""

from __future__ import annotations

from metricmind.define import Definition, analyze
from metricmind.define.rules import INCLUDE, NEGATIVE
from metricmind.define.words import SNAPSHOT
from metricmind.project import Project


def test_snapshot_wordings() -> None:
    for text in (
        "Seats held on the final day of every month",
        "Contracts in force at close of each month",
        "Revenue on the books, end-of-month",
    ):
        assert SNAPSHOT.search(text), text
    assert not SNAPSHOT.search("Invoices issued during the month")


def test_exclusion_and_inclusion_wordings() -> None:
    for text in ("All tiers but Growth", "Apart from wire transfers", "Omit the trials", "Ignoring refunds"):
        assert NEGATIVE.search(text), text
    assert INCLUDE.search("Overdue invoices get counted too")
    assert not NEGATIVE.search("Only annual billing")


def test_a_value_in_the_definition_filters_with_its_polarity(demo: Project) -> None:
    p = analyze(
        Definition("android_events_no_dash", "Product events from android, leaving out dashboards"),
        demo.model,
    )
    assert p.metric is not None and not p.unread, (p.refused, p.message, p.rules)
    text = str(p.metric)
    assert "'android'" in text and "!= 'dashboards'" in text


def test_a_flag_in_the_definition_is_read_but_a_verb_of_manner_is_not(demo: Project) -> None:
    p = analyze(
        Definition("bank_invoices", "Invoice amount settled by bank_transfer, by issue date"), demo.model
    )
    assert "is_paid" not in str(p.metric)


def test_unexplained_words_lower_confidence_and_become_a_doubt(demo: Project) -> None:
    p = analyze(
        Definition("mrr_lost_closures", "Subscription revenue forfeited through cancellations"),
        demo.model,
    )
    if p.metric is not None:
        assert p.confidence < 0.8 and p.doubts


def test_a_confident_plain_reuse(demo: Project) -> None:
    p = analyze(
        Definition("emea_mrr_2", "Monthly recurring revenue of EMEA customers, month end"), demo.model
    )
    assert p.metric is not None and "'EMEA'" in str(p.metric) and not p.unread
