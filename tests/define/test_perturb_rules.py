"""The one-rule metamorphic families (``tests/define/perturb_rules.py``): what each rewrite says."""

from __future__ import annotations

import random

from metricmind.define import Definition
from tests.define import perturb, perturb_rules


def test_negations_turn_a_drop_into_a_keep() -> None:
    d = Definition(
        "x",
        "Number of open loans at month end, excluding debt consolidation loans",
        ("refunded purchases do not count", "excl. cancelled orders"),
    )
    got = dict(perturb_rules.negations(d))
    assert got["negate:postfix"].rules == ("Only refunded purchases", "excl. cancelled orders")
    assert got["negate:clause"].text == "Number of open loans at month end, only debt consolidation loans"
    only_excl = dict(perturb_rules.negations(Definition("x", "GMV", ("excl. cancelled orders",))))
    assert only_excl["negate:excl"].rules == ("Only cancelled orders",)


def test_drops_leave_out_one_rule_at_a_time_and_name_it() -> None:
    d = Definition("x", "Tickets, excl. low priority", ("channel chat or phone", "by created date"))
    got = list(perturb_rules.drops(d))
    assert [(k, v.rules, gone) for k, v, gone in got[:2]] == [
        ("drop:rule", ("by created date",), "channel chat or phone"),
        ("drop:rule", ("channel chat or phone",), "by created date"),
    ]
    kind, clause, gone = got[2]
    assert kind == "drop:clause" and clause.text == "Tickets" and gone == "excl. low priority"


def test_paraphrases_keep_what_the_rule_keeps() -> None:
    d = Definition(
        "x",
        "GMV",
        (
            "Exclude checks",
            "Only sellers who are verified",
            "the course's difficulty is intermediate",
            "each buyer once per month",
            "CSAT = share of answers rated 4 or 5",
        ),
    )
    got = dict(perturb_rules.paraphrases(d, random.Random(0)))
    assert got["paraphrase:drop-after"].rules[0].lower().startswith("checks ")
    assert got["paraphrase:keep"].rules[1] in (
        "Keep only sellers who are verified",
        "Count only sellers who are verified",
    )
    assert got["paraphrase:must-be"].rules[2] == "The course's difficulty must be intermediate"
    assert got["paraphrase:once"].rules[3] == "Each buyer is counted once a month"
    assert all(v.rules[4] == d.rules[4] for v in got.values())  # a definition of a ratio is never rewritten


def test_redates_say_the_same_date_another_way() -> None:
    def one(*rules: str, text: str = "Tickets") -> Definition:
        [(_, v)] = list(perturb_rules.redates(Definition("x", text, rules), random.Random(0)))
        return v

    assert one("by created date").rules == ("Dated by the created date",)
    assert one("by arrival month").rules == ("By the month of arrival",)
    assert one("count them in the month the application was submitted").rules == (
        "By the month the application was submitted",
    )
    assert one(text="Share of cancelled reservations, by arrival month, as a fraction").text == (
        "Share of cancelled reservations, by the month of arrival, as a fraction"
    )
    assert not list(
        perturb_rules.redates(Definition("x", "Tickets", ("not by created date",)), random.Random(0))
    )


def test_the_families_join_the_variants_with_what_their_answer_must_be() -> None:
    case = {
        "id": "c1",
        "name": "x",
        "definition": "Tickets",
        "rules": ["Exclude checks", "by created date"],
        "expect": {"answerable": True, "sql": "select 1"},
    }

    class _Vocab:
        words: frozenset[str] = frozenset()
        values: dict[str, list[list[str]]] = {}
        by_model: dict[str, list[tuple[str, list[str]]]] = {}

        def key(self, word: str) -> bool:
            return True

    got = perturb.variants([case], _Vocab(), seed=0)  # type: ignore[arg-type]
    drops = [v for v in got if v.kind == "drop:rule"]
    assert [v.dropped for v in drops] == ["Exclude checks", "by created date"]
    assert all(v.family == perturb.SENSITIVITY and v.sql is None for v in drops)
    said = [v for v in got if v.kind.startswith(("paraphrase:", "date:"))]
    assert said and all(v.family == perturb.INVARIANCE and v.sql == "select 1" for v in said)
