"""Rows the definition says are absent ("Customers with no invoice in the month", "Users who never opened a
dashboard", "Accounts with zero tickets"): an anti-join, which no metric the agent builds computes.

Read as it stood, the sentence lost its "no": the customers *with* an invoice were counted, at 0.85. The
population such a count is of (every customer? the active ones? those signed up by then?) is for a person to
say, so the proposal carries an unread item instead: a refusal, never a confident count of the opposite.

An absence is a negative determiner ("no", "zero", "without", "never", "none of", "not a single", "not
any") followed, within three words, by the noun of an entity of the catalog other than the one the
definition counts (the entity at its head). "Invoices not paid" denies a state of the rows counted, not
the existence of other rows: it is a filter, read elsewhere.

The same cue before a dimension of the rows ("Subscriptions with no end date", "Tickets without a
priority") asks for rows whose value is missing (a null): unread too unless a filter of the proposal reads a
null, as the dimension's value is never what the words drop.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.reach import rows_named
from metricmind.define.termcolumns import term_words
from metricmind.define.termdates import time_of
from metricmind.define.words import lexicon
from metricmind.spec.model import Model

#: A negative determiner that denies the rows after it exist ("no-show" is a word of its own, no cue).
ABSENT = re.compile(r"\b(?:no|zero|without|never|none of|not a single|not any)\b(?!-)", re.IGNORECASE)
#: How many words after the cue may still name the absent rows ("without any paid invoice").
WITHIN = 3
#: Words that make a phrase after the cue a date ("no end date"), not a verb ("never ended").
_DATE_WORDS = frozenset({"date", "day", "time", "timestamp"})


def absent_rows(model: Model, text: str) -> list[str]:
    """The entities ``text`` says have no rows ("invoice" of "Customers with no invoice"), or []."""
    if not ABSENT.search(text):
        return []
    words = term_words(text)
    named = rows_named(model, words, lexicon(model))
    if not named:
        return []
    head = named[0][1]
    cues = {len(term_words(text[: m.end()])) - 1 for m in ABSENT.finditer(text)}
    return list(dict.fromkeys(e for i, e in named if e != head and any(0 < i - c <= WITHIN for c in cues)))


def absent_values(model: Model, text: str) -> list[str]:
    """The dimensions ``text`` says have no value ("subscription__ended_at" of "Subscriptions with no end
    date", "subscription__cancel_reason" of "… without a cancel reason"), or [].
    """
    if not ABSENT.search(text):
        return []
    words = term_words(text)
    lx = lexicon(model)
    out: list[str] = []
    for m in ABSENT.finditer(text):
        at = len(term_words(text[: m.end()]))
        window = words[at : at + WITHIN]
        if set(window) & _DATE_WORDS:
            for sm in model.semantic_models.values():
                hit = time_of(sm, window)
                if hit is not None and sm.primary:
                    out.append(f"{sm.primary}__{hit[0]}")
        for size in (2, 1):
            for i in range(len(window) - size + 1):
                out += [e.target for e in lx.lookup(window[i : i + size]) if e.kind == "dimension"]
    return list(dict.fromkeys(out))


def flag_absent_rows(proposal: Proposal, model: Model) -> None:
    """Add an unread item when the definition says rows of another entity are absent (``absent_rows``), or
    that a value of the rows is missing (``absent_values``) and no filter of the proposal reads a null.
    """
    if proposal.metric is None or proposal.refused:
        return
    text = proposal.definition.text
    missing = absent_rows(model, text)
    nulls = [] if missing or _reads_null(proposal) else absent_values(model, text)
    if not missing and not nulls:
        return
    why = (
        f"the definition counts what has no {', '.join(missing)} rows (an anti-join), which the proposed metric "
        "does not compute: say which population the absence is of, or write it by hand"
        if missing
        else f"the definition asks for rows with no {', '.join(nulls)} (a missing value), which no filter of "
        "the proposed metric reads: add the filter, or say it as a rule"
    )
    proposal.rules.append(RuleReading(f"(in the definition) {text}", "unread", 0.0, why))
    proposal.confidence = min(proposal.confidence, 0.1)
    proposal.doubts.append(why)


def _reads_null(proposal: Proposal) -> bool:
    """A filter of the proposal (its metric's or a rule's) reads a null."""
    said = " ".join([str(proposal.metric or ""), *(str(r.predicate or "") for r in proposal.rules)]).lower()
    return "is null" in said
