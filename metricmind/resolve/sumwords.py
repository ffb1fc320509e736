"""An amount said of a counted noun in an analyst's words: "invoice amounts", "sum(invoice amount)", "the sum of the
refund balances". The noun alone names a count (invoices); the amount noun or the ``sum`` around it asks for what
the rows add up to, a metric in currency. Pure helpers over the question's tokens and the catalog's phrases, called
by the amount-or-count pass (``amountwords``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from metricmind.resolve.describe import PHRASE_WEIGHT, TEXT_WEIGHT
from metricmind.resolve.text import Token, root, stems
from metricmind.spec.model import Agg, MetricType, Model

AMOUNT_NOUNS = frozenset({"amount", "amounts", "balance", "balances", "dollars"})
"""Nouns that, right after a counted noun, say its amount ("invoice amounts", "refund balances")."""
SUM_WORDS = frozenset({"sum", "summed", "sums"})
"""Words of adding rows up: before a counted noun ("sum of invoices", "sum(invoice amount)") they ask its amount."""
_BETWEEN = frozenset({"of", "the", "all", "our", "their", "its", "a", "total"})
"""Words that may stand between ``sum`` and the noun it adds up ("the sum of all the invoices")."""


def amount_said(tokens: Sequence[Token], first: int, last: int) -> bool:
    """Whether the words ``first``..``last`` (a counted noun) are said as an amount: an amount noun right after
    them ("invoice amount", "paid invoice balances"), or ``sum`` before them past linking words ("sum of the
    invoices", "sum(invoice …)").
    """
    if last < len(tokens) and tokens[last].norm in AMOUNT_NOUNS:
        return True
    k = first - 1
    while k >= 0 and tokens[k].norm in _BETWEEN:
        k -= 1
    return k >= 0 and k >= first - 4 and tokens[k].norm in SUM_WORDS


def amount_phrased(
    found: Iterable[str], phrases: Iterable[tuple[tuple[str, ...], str]], noun: str
) -> list[str]:
    """Of the amounts ``found``, those one of whose own phrases (name, label, synonyms: ``phrases`` as (words,
    metric)) holds both the counted noun and the word "amount" ("invoiced amount" for the billed amount): the
    plain amount of the noun, where others are amounts of a kind of it (the paid ones, the overdue ones).
    """
    want, amount = root(noun), root("amount")
    keep = set(found)
    return sorted(
        {
            m
            for words, m in phrases
            if m in keep and amount in {root(w) for w in words} and want in map(root, words)
        }
    )


def summed_twins(model: Model, count: str) -> list[str]:
    """For a catalog that declares no units: the plain sums of the semantic model a simple count metric
    counts (lending's "application amount": the requested amount, the one sum over applications), without a
    filter of their own and not deprecated; the one whose label says "amount" when several do.
    """
    m = model.metrics.get(count)
    if m is None or m.measure is None or m.type != MetricType.SIMPLE or m.measure.name not in model.measures:
        return []
    measure = model.measures[m.measure.name]
    if measure.agg not in (Agg.COUNT, Agg.COUNT_DISTINCT, Agg.SUM_BOOLEAN):
        return []
    found = []
    for name, other in model.metrics.items():
        x = other.measure
        if other.type != MetricType.SIMPLE or x is None or x.name not in model.measures or other.filter:
            continue
        if str(other.meta.get("status") or "") == "deprecated" or other.meta.get("unit"):
            continue
        summed = model.measures[x.name]
        if summed.agg == Agg.SUM and summed.semantic_model == measure.semantic_model and not x.filter:
            found.append(name)
    said = [n for n in found if "amount" in {root(w) for w in stems(model.metrics[n].label or n)}]
    return said if len(found) > 1 else found


def kind_of_amount(
    weights: Mapping[str, Mapping[str, float]],
    amounts: Iterable[str],
    noun: Sequence[str],
    said: Iterable[str],
) -> list[str]:
    """Of the ``amounts`` (metrics in currency), those whose words hold the counted noun (``noun``, as word keys,
    in their name or prose) and whose own name, label or synonyms hold a word said before it (``said``: "past due"
    for the overdue amount, "paid" for revenue): the amount of that kind of the noun ("past-due invoice balances").
    """
    said = set(said)
    return sorted(
        m
        for m in amounts
        if all(weights[m].get(k, 0.0) >= TEXT_WEIGHT for k in noun)
        and any(weights[m].get(k, 0.0) >= PHRASE_WEIGHT for k in said)
    )
