"""A rule that defines a word of the definition by a filter ("Partner-sourced means the customer's
acquisition channel is partner", "Retailers are customers in the Retail industry", "Word of mouth means
customers whose acquisition channel is referral").

The rule reader leaves such a rule unread: "means" defines a word rather than keeping values, and the
defined word ("retailers") is no word of the catalog. Here the rule is split at its verb ("means", "are",
"is", "refers to"); the part after it is read as a rule of its own ("only customers in the Retail industry").
Only when that reads exactly (one dimension's values, no word left over) is the rule that filter, its reason
saying which word it defines; anything else stays unread. The rule only says what the word means: whether
the metric keeps or drops those values is how the definition uses the word ("Trials started each month,
ignoring health care companies" with "Health care means the Healthcare industry" drops Healthcare). A word
the definition never says, or one the catalog already knows (a name or value: "Paying means …",
"Partner-sourced …"), is left unread: the rule would redefine what the catalog means by it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from metricmind.define.rulecues import NEGATIVE
from metricmind.define.rulevalues import Context, Read
from metricmind.define.words import GLUE, known, stems, vocabulary

#: "<word> means|is|are|refers to <meaning>": one clause each side (a list of conditions is no one filter).
WORD_MEANS = re.compile(
    r"^\s*(?P<word>[^,:;()]{1,40}?)\s+(?:means|mean|is defined as|are defined as|refers? to|are|is)\s+"
    r"(?P<meaning>[^,:;()]+?)\s*\.?\s*$",
    re.IGNORECASE,
)
#: How a meaning may begin without saying which rows ("those whose …", "any customer who …").
_LEAD = re.compile(r"^(?:that|when|the ones|those|any|all|every)\s+", re.IGNORECASE)
#: A filter read at least this surely is the meaning (a value read exactly, no word left over).
EXACT = 0.9


def defined_word(text: str, ctx: Context, read: Callable[[str, Context], Read]) -> Read | None:
    """The rule as the filter its meaning reads exactly (``read`` is the rule reader), else None."""
    m = WORD_MEANS.match(text)
    if m is None:
        return None
    word, meaning = m.group("word").strip(), _LEAD.sub("", m.group("meaning").strip())
    if not meaning:
        return None
    own = [w for w in stems(word.lower().replace("-", " ")) if w not in GLUE]
    meant = set().union(*(_forms(w) for w in stems(meaning.lower().replace("-", " ").replace("_", " "))))
    itself = bool(own) and all(_forms(w) & meant for w in own)  # "Creating means the create action"
    if not itself and any(known(w, vocabulary(ctx.model)) for w in own):
        return None  # "Paying means …": a word the catalog already means something by is not redefined
    negated = _negated(word, ctx.definition)
    if negated is None:
        return None
    inner = read(f"{'exclude' if negated else 'only'} {meaning}", ctx)
    reading = inner.reading
    if reading.status != "filter" or inner.negative != negated or not inner.dimension:
        return None
    if reading.confidence < EXACT or inner.others or inner.column_sql:
        return None
    use = "leaves out" if negated else "keeps"
    return replace(
        inner,
        reading=replace(
            reading,
            text=text,
            reason=f"defines {word!r} as {meaning!r}, which the definition {use}: {reading.reason}",
        ),
    )


def _negated(word: str, definition: str) -> bool | None:
    """How the definition uses ``word``: False when it keeps it, True when a negation in its clause drops
    it ("ignoring health care companies"), None when it never says the word's own words.
    """
    said = [w for w in stems(word.lower().replace("-", " ")) if w not in GLUE]
    forms = set().union(*(_forms(w) for w in said)) if said else set()
    text = definition.lower().replace("-", " ")
    words = stems(text)
    at = next((i for i, w in enumerate(words) if _forms(w) & forms), None)  # "creating" of "created"
    if not said or at is None:
        return None
    clauses = re.split(r"[,;:]", " ".join(words[: at + 1]))
    return bool(NEGATIVE.search(clauses[-1]))


def _forms(word: str) -> set[str]:
    """``word`` and its base without a simple inflection ("creating", "created" → "creat", "create")."""
    out = {word}
    for suffix in ("ing", "ed", "d", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            out |= {base, base + "e"}
    return out
