"""A rule that keeps values and then says, after a comma or in a parenthesis, what that leaves out.

"Follow-ups only, not first appointments", "self-pay patients only (not insured, not on the scheme)",
"online registrations only (web booking), not walk-ins or referrals": the negation belongs to the second
clause, yet the whole rule was read as one negative filter and dropped the very value it keeps (a silent
wrong at full confidence). Only such a reading is replaced: a rule read whole that drops other values
("Count only paid subscriptions, never trials": drops trials) stands. ``twoclauses`` splits at ";" and dashes only, and needs both clauses to read as
filters on one dimension; here the second clause often names no value at all, only other words of the
same dimension ("insured", "scheme" of `payer_type` whose description lists private_insurance and
public_scheme).

The kept clause is the filter when the second clause only restates what keeping leaves out: each of its
content words is one of the kept dimension's own words (its name, label, description, entity and the
values it holds), and none is a kept value. Keeping only the values already leaves the others out. A
second clause saying anything else is another condition: the rule is unread (one rule each), never a
filter that drops the kept values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from metricmind.define.proposal import RuleReading
from metricmind.define.rulecontext import RULE_GLUE, Context, Read, find_dimension
from metricmind.define.rulecues import NEGATIVE
from metricmind.define.words import content, observed
from metricmind.spec.names import SEP

#: "<keep … only …>, not …" / "<keep … only …> (not …)" / "<… only …> - not …": the keep, then the drop.
_SHAPE = re.compile(
    r"^(?P<keep>[^,;()]*\bonly\b[^,;()]*?)\s*(?:\((?P<aside>[^()]*)\)\s*)?(?:,|\(|\s[—–-])\s*"
    r"(?P<drop>(?:but\s+|and\s+)?(?:not|never|excluding|except|no)\b[^;()]*?)\s*\)?\s*\.?\s*$",
    re.IGNORECASE,
)
#: Words of the second clause that say how, not what.
_HOW = frozenset({"not", "never", "excluding", "except", "no", "but", "and", "or", "nor"}) | RULE_GLUE
#: Why a rule whose second clause says more than what keeping leaves out is not read.
OTHER_CONDITION = "keeps {kept} of {dim}, but the clause {clause!r} says {words}, which {dim} does not name"


def only_not(text: str, ctx: Context, read: Callable[[str, Context], Read], whole: Read) -> Read | None:
    """The rule read as its kept clause (module docstring); an unread reading when its second clause says
    another condition; None when the rule has not this shape, its kept clause is no one-dimension filter, or
    ``whole`` (the rule read as one) does not drop what that clause keeps ("Count only paid subscriptions,
    never trials" drops trials: read as it was).
    """
    m = _SHAPE.match(text.strip())
    if m is None or NEGATIVE.search(m.group("keep")) or not whole.negative:
        return None
    keep_text = m.group("keep") + (f" ({m.group('aside')})" if m.group("aside") else "")
    keep = read(keep_text, ctx)
    if (
        keep.reading.status != "filter"
        or not keep.dimension
        or keep.negative
        or keep.others
        or keep.column_sql
        or not keep.values
        or keep.dimension not in (whole.dimension, *whole.others)
        or not set(keep.values) & set(whole.values)
    ):
        read(text, ctx)  # the context of the rule read whole again
        return None
    vocab, kept = _own_words(keep.dimension, keep.values, ctx)
    said = [w for w in content(m.group("drop").replace("-", " ")) if w not in _HOW and len(w) > 3]
    strange = [w for w in said if not any(_alike(w, v) for v in vocab) or any(_alike(w, k) for k in kept)]
    if strange:
        reason = OTHER_CONDITION.format(
            kept=", ".join(keep.values), dim=keep.dimension, clause=m.group("drop"), words=", ".join(strange)
        )
        return Read(RuleReading(text, "unread", 0.0, f"{reason}; write one rule each"))
    shown = (
        f"; the clause {m.group('drop')!r} names other {keep.dimension} rows, which that already leaves out"
    )
    return replace(keep, reading=replace(keep.reading, text=text, reason=f"{keep.reading.reason}{shown}"))


def _own_words(dimension: str, values: tuple[str, ...], ctx: Context) -> tuple[set[str], set[str]]:
    """The words of ``dimension`` (name, label, description, entity, the values it holds) other than the
    kept ``values``' own, and the kept values' words.
    """
    dim = find_dimension(ctx.model, dimension)
    parts = dimension.split(SEP)
    texts = [p.replace("_", " ") for p in parts]
    if dim is not None:
        texts += [dim.label or "", dim.description or ""]
    held = observed(ctx.model).get(SEP.join(parts[-2:]), [])
    kept_words = {w for v in values for w in content(v.replace("_", " ").replace("-", " "))}
    texts += [str(v) for v in held if str(v) not in values]
    vocab = {w for t in texts for w in content(t.replace("_", " ").replace("-", " "))}
    return vocab - kept_words, kept_words


def _alike(word: str, other: str) -> bool:
    """One word and another share a stem: the same, or a common start of five letters or more ("insured",
    "insurance"), or the whole of the shorter one of four or more ("physio", "physiotherapy").
    """
    n = 0
    for a, b in zip(word, other, strict=False):
        if a != b:
            break
        n += 1
    return n >= 5 or (n == min(len(word), len(other)) and n >= 4)
