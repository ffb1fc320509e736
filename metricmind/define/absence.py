"""Rows the definition says are absent ("Customers with no invoice in the month", "Users who never opened a
dashboard", "Accounts with zero tickets"): an anti-join, which no metric the agent builds computes.

Read as it stood, the sentence lost its "no": the customers *with* an invoice were counted, at 0.85. The
population such a count is of (every customer? the active ones? those signed up by then?) is for a person to
say, so the proposal carries an unread item instead: a refusal, never a confident count of the opposite.

An absence is a negative determiner ("no", "zero", "without", "never", "none of", "not a single", "not
any") followed, within three words, by the noun of an entity of the catalog other than the one the
definition counts (the entity at its head). "Invoices not paid" denies a state of the rows counted, not
the existence of other rows: it is a filter, read elsewhere.
"""

from __future__ import annotations

import re

from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.reach import rows_named
from metricmind.define.termcolumns import term_words
from metricmind.define.words import lexicon
from metricmind.spec.model import Model

#: A negative determiner that denies the rows after it exist ("no-show" is a word of its own, no cue).
ABSENT = re.compile(r"\b(?:no|zero|without|never|none of|not a single|not any)\b(?!-)", re.IGNORECASE)
#: How many words after the cue may still name the absent rows ("without any paid invoice").
WITHIN = 3


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


def flag_absent_rows(proposal: Proposal, model: Model) -> None:
    """Add an unread item when the definition says rows of another entity are absent (``absent_rows``)."""
    if proposal.metric is None or proposal.refused:
        return
    text = proposal.definition.text
    missing = absent_rows(model, text)
    if not missing:
        return
    why = (
        f"the definition counts what has no {', '.join(missing)} rows (an anti-join), which the proposed metric "
        "does not compute: say which population the absence is of, or write it by hand"
    )
    proposal.rules.append(RuleReading(f"(in the definition) {text}", "unread", 0.0, why))
    proposal.confidence = min(proposal.confidence, 0.1)
    proposal.doubts.append(why)
