"""Rules that keep rows rather than restrict them ("refunded payments still count", "trials included").

A rule that says something is included, still counts, counts regardless / whether or not, is not excluded,
counts even if, or both a value and its opposite, restricts nothing: it is read as acknowledged (``noop``,
with a reason naming what it keeps), never as a filter keeping only what it names. When the chosen source
itself leaves out what the rule keeps, the rule is unread (the source would contradict it), never dropped.
"""

from __future__ import annotations

import re

from metricmind.define.nearer import every_value
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecover import source_excludes
from metricmind.define.rulecues import NEGATIVE, POSITIVE
from metricmind.define.rulevalues import Context, Read, values_of

#: How sure a rule that keeps rows is read: as sure as any other rule that restricts nothing.
KEPT_CONFIDENCE = 0.8
_DROP_VERB = (
    r"(?:exclud\w*|drop\w*|remov\w*|omit\w*|filter\w* out|leav\w* out|left out|skip\w*|ignor\w*|"
    r"(?:leave|leaving|take|taking|keep|keeping) (?:\w+ ){1,3}out)"
)
#: Each shape of a rule that keeps rows, by what it is called in a reading's reason.
SHAPES: dict[str, re.Pattern[str]] = {
    "still counts": re.compile(
        r"\bstill (?:count\w*|included|includes?|apply|applies|qualif\w+|belong\w*|in)\b"
    ),
    "included": re.compile(
        r"^\s*(?:[\w'-]+ ){1,4}(?:are |is |get |gets |remain |remains |stay |stays |be )?(?:also )?"
        r"(?:included|counted|kept)(?: too| as well| also)?\s*[.!]?\s*$"
    ),
    "regardless": re.compile(
        r"\b(?:regardless|irrespective)\b(?! of how (?:many|much|often))|"
        r"\bno matter (?:whether|if|what)\b"
    ),
    "whether or not": re.compile(
        r"\bwhether or not\b|\bwhether (?:\w+ ){1,4}or not\b|\b[a-z][a-z-]+ or not\b"
    ),
    "not excluded": re.compile(
        rf"\b(?:do|does|did|should|must|will|need|needs|to)? ?(?:not|never|no need to) (?:be )?{_DROP_VERB}|"
        r"\b(?:are|is|were|was|be|get|gets) (?:not|never) (?:excluded|dropped|removed|omitted|skipped|ignored|"
        r"filtered out|left out)\b"
    ),
    "even if": re.compile(r"\beven\b(?! (?:numbers?|numbered|split|spread|distribution|out|more|less)\b)"),
    "either way": re.compile(
        r"\b(?P<w>[a-z]{3,})(?: \w+)? (?:and|or) (?:non-? ?|un)(?P=w)|\bwith or without\b|"
        r"\b(?:non-? ?|un)(?P<v>[a-z]{3,})(?: \w+)? (?:and|or) (?P=v)\b"
    ),
}
#: A rule of several clauses, or of a ratio's side, says more than what it keeps ("refunds still count, but
#: trials do not", "the denominator is every invoice, paid or not").
_CLAUSE = re.compile(r"[;,:=()]|\bbut\b|\bwhile\b|\b(?:numerator|denominator)\b")
_BOTH = re.compile(r"\bboth\b")
#: "Regardless of how many", "once": how to count, read by ``once.py``.
_ONCE = re.compile(r"\bonce\b|\bhow (?:many|much|often)\b")


def shape_of(low: str) -> str | None:
    """The shape of a rule that keeps rows (a key of ``SHAPES``), or None."""
    return next((name for name, pattern in SHAPES.items() if pattern.search(low)), None)


def kept(text: str, low: str, words: tuple[str, ...], ctx: Context) -> Read | None:
    """``text`` read as keeping rows (no predicate, a reason that says what it keeps), or unread when the
    source leaves out what it keeps; None when it is no rule of that shape (or says more than that).
    """
    shape = shape_of(low)
    if shape is None and _BOTH.search(low):  # "both paid and unpaid invoices": every value of one dimension
        found, _ = values_of(words, ctx)
        ctx.ambiguous.clear()
        ctx.chosen.clear()
        shape = "both" if covers_every_value(found, ctx) else None
    if shape is None or POSITIVE.search(low) or _ONCE.search(low):
        return None
    if _CLAUSE.search(low):
        return None  # "web included" of a longer rule, "refunds count, but trials do not": read elsewhere
    if shape not in ("not excluded", "whether or not", "either way") and NEGATIVE.search(low):
        return None  # "cancelled orders not included": a negation of the keeping itself
    found, _ = values_of(words, ctx)
    keys = list(ctx.keys)
    ctx.ambiguous.clear()
    ctx.chosen.clear()
    named = _named(found)
    for _, key in keys:
        clause = source_excludes(key, ctx)
        if clause is not None:
            return Read(
                RuleReading(
                    text,
                    "unread",
                    0.0,
                    f"keeps {named or 'rows'} ({shape}), which the source leaves out ({clause!r}): "
                    "choose a source that counts them",
                )
            )
    what = f"keeps {named} along with the other rows" if named else "keeps rows"
    return Read(RuleReading(text, "noop", KEPT_CONFIDENCE, f"{what} ({shape}); restricts nothing"))


def _named(found: list[tuple[str, str]]) -> str:
    """What the rule names, once per dimension: ``payment__is_refunded`` for a flag's both values."""
    by_dim: dict[str, list[str]] = {}
    for dim, value in found:
        by_dim.setdefault(dim, []).append(value)
    return ", ".join(
        dim if len(vals) > 1 or vals[0].lower() in ("true", "false") else f"{dim} = {vals[0]}"
        for dim, vals in by_dim.items()
    )


def covers_every_value(found: list[tuple[str, str]], ctx: Context) -> str | None:
    """A dimension whose every value the rule names ("both paid and unpaid invoices"), or None."""
    by_dim: dict[str, set[str]] = {}
    for dim, value in found:
        by_dim.setdefault(dim, set()).add(value)
    return next(
        (d for d, vals in by_dim.items() if (every := every_value(ctx.model, d)) and every <= vals), None
    )
