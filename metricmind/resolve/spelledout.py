"""A catalog's abbreviated names said in full: "average watch minutes" for the label "Avg Watch Minutes".

The resolver spells a question's short forms out ("avg" → "average", ``shorthand``) unless the catalog uses
the short form itself; a catalog that writes "Avg Watch Minutes per Learner" is then matched by "avg" but not
by "average", the word a careful asker types. ``spelled_out`` gives a catalog phrase with each abbreviated
word written in full (one word for one, from the shorthand table), so the lexicon indexes both.
"""

from __future__ import annotations

import re

from metricmind.resolve.shorthand import SHORT_FORMS

_WORD = re.compile(r"[^\W_]+")


def spelled_out(phrase: str) -> str | None:
    """``phrase`` with its abbreviated words in full, or None when it has none.

    >>> spelled_out("Avg Watch Minutes per Learner")
    'average Watch Minutes per Learner'
    >>> spelled_out("Watch Time") is None
    True
    """
    changed = False

    def full(m: re.Match[str]) -> str:
        nonlocal changed
        long = SHORT_FORMS.get(m.group(0).lower())
        if not long or " " in long or not long.isalpha():
            return m.group(0)
        changed = True
        return long

    out = _WORD.sub(full, phrase)
    return out if changed else None
