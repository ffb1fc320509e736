"""A rule that restates the values a ratio's numerator already names: "Share of room revenue earned from
Gold and Platinum loyalty guests, as a fraction of all room revenue" + "the guest's current loyalty tier is
Gold or Platinum".

Such a rule says which rows the numerator's words mean; applied to both parts (as a rule said of the
whole ratio is) it would filter the denominator too and the share would be 1. It is read as the
numerator's only when every value it names (read from the catalog's values, through the entity graph's
dimensions) is said in the numerator's words and none in the denominator's, and it is covered only when
the numerator's built filter keeps each of those values; otherwise the ratio is not proposed.
"""

from __future__ import annotations

from typing import Any

from metricmind.define.population import stray_values
from metricmind.define.proposal import RuleReading
from metricmind.define.words import lexicon, stems
from metricmind.spec.model import Model

COVERED = 0.7


def restating(model: Model, common: list[str], num_said: str, den_text: str) -> list[str]:
    """The rules of ``common`` every value of which ``num_said`` names and ``den_text`` does not."""
    out = []
    for r in common:
        named = stray_values(model, r, [])
        if not named or stray_values(model, r, [num_said]) or not _names_dimension(model, r, named):
            continue
        if len(stray_values(model, r, [den_text])) == len(named):
            out.append(r)
    return out


def _names_dimension(model: Model, rule: str, named: list[str]) -> bool:
    """The rule names, for every value it says, that value's dimension ("the guest's loyalty tier is Gold
    or Platinum"), so it says which values of which dimension; never a rule that only says a value in
    passing ("Count invoices by the month they were paid").
    """
    words = set(stems(rule.lower().replace("_", " ").replace("-", " ")))
    for phrase in named:
        dims = {d.split("__")[-1] for d, _ in _targets(model, phrase)}
        if not any(set(stems(d.replace("_", " "))) <= words for d in dims):
            return False
    return True


def _targets(model: Model, phrase: str) -> list[tuple[str, str]]:
    """(dimension, value) of each value the phrase names."""
    entries = lexicon(model).lookup(tuple(stems(phrase)))
    return [tuple(e.target.split("=", 1)) for e in entries if e.kind == "value" and "=" in e.target]  # type: ignore[misc]


def kept(model: Model, rule: str, numerator: dict[str, Any]) -> RuleReading | None:
    """The rule read as covered when the numerator's filter keeps every value it names, else None."""
    keep = str(numerator.get("filter") or "")
    if not keep or any(w in keep.lower() for w in (" not ", "!=", "<>")):
        return None
    for phrase in stray_values(model, rule, []):
        if not any(f"Dimension('{d}')" in keep and f"'{v}'" in keep for d, v in _targets(model, phrase)):
            return None
    return RuleReading(
        rule, "covered", COVERED, f"restates the numerator's own values, which its filter keeps: {keep}"
    )
