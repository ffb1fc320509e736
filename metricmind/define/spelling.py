"""A misspelled word read as the one word of the catalog it is one keystroke from ("acounts" → "accounts").

People type definitions quickly; a word the catalog never uses refuses the definition or caps its
confidence. A word of five letters or more that no stem of the project knows is read as a word of the
catalog's own vocabulary (names, labels, descriptions, synonyms, columns — never a dimension's values or
aliases) when exactly one such word is one edit away (a letter added, dropped, changed or two swapped).
A word as close to a value ("Enterprize") is left alone: a value that does not exist is refused with the
nearest one, never guessed (unless the value is also a word of the catalog's names: "evnets" is "event"). A word no catalog word is near and that is no English word ("Levae out
trials", "usnig", "whsoe", "durnig") is read as the one everyday English word it is a slip of, by the
resolver's speller (``resolve.spelling.Speller.typo`` over ``english_words``: one root one edit away; never
an inflection of an English word, "flagged"). The proposal keeps the text as written and says what was read (a doubt at
``RESPELLED_CONFIDENCE``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from metricmind.define.rulevalues import RULE_GLUE
from metricmind.define.words import GLUE, known, stem_set, stems, vocabulary
from metricmind.resolve.spelling import Speller, english_words
from metricmind.resolve.text import root, typo_limit
from metricmind.spec.model import Model

#: The confidence of a proposal that read a misspelled word as another: a person checks it.
RESPELLED_CONFIDENCE = 0.75
_WORD = re.compile(r"[A-Za-z]{5,}")
#: Words naming the parts of a ratio: English words the everyday list may lack, never slips.
RATIO_PARTS = frozenset({"numerator", "numerators", "denominator", "denominators", "dividend", "divisor"})
_CACHE: dict[int, tuple[Model, frozenset[str], frozenset[str]]] = {}


def respell(text: str, model: Model, extra: Iterable[str] = ()) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with each misspelled word replaced, and the (as written, as read) pairs.

    Args:
        text: A definition or a rule.
        model: The project's model (its vocabulary).
        extra: Other known words (the warehouse's column names and values) — never corrected, and
            columns are words a misspelling may be read as.
    """
    names, values = _vocab(model)
    known_words = vocabulary(model) | frozenset(stem_set(extra))
    changes: list[tuple[str, str]] = []

    def fix(m: re.Match[str]) -> str:
        word = m.group(0)
        low = word.lower()
        stem = (stems(low) or (low,))[0]
        if known(stem, known_words) or known(low, known_words):
            return word
        if any(_one_edit(stem, v) or _one_edit(low, v) for v in values if v not in names):
            return word  # "Enterprize": a value that does not exist is refused with the nearest one (a
            # value that is also a name of the catalog, "event", is read as that word either way)
        if low in GLUE or low in RULE_GLUE or stem in GLUE or stem in RULE_GLUE:
            return word
        if low in RATIO_PARTS:  # "out of the denominator": the parts of a ratio, never "denomination"
            return word
        near = sorted({n for n in names if _one_edit(stem, n) and _inside_edit(stem, n)})
        if len(near) != 1:
            everyday = _everyday(low)
            if everyday is None:
                return word
            changes.append((word, everyday))
            return everyday
        read = near[0] + low[len(stem) :] if low.startswith(stem) else near[0]
        changes.append((word, read))
        return read

    return _WORD.sub(fix, text), changes


@lru_cache(maxsize=1)
def _english() -> dict[tuple[str, int], list[str]]:
    """Everyday English words by first letter and length (built once)."""
    out: dict[tuple[str, int], list[str]] = {}
    for w in english_words():
        out.setdefault((w[0], len(w)), []).append(w)
    return out


@lru_cache(maxsize=4096)
def _everyday(low: str) -> str | None:
    """The one English word ``low`` is a slip of ("levae" → leave), or None (an English word itself, or
    none or several near): the resolver's ``Speller.typo`` over the English words that may be near (same
    first letter, length and letters within the edit limit).
    """
    words = english_words()
    limit = min(1, typo_limit(low))  # one slip only: "percentile" is no slip of "percentage"
    if not words or low in words or not low.isalpha() or not limit:
        return None
    if root(low) in words or any(s in words for s in stems(low)):
        return None  # an inflection of an English word ("flagged": flag)
    by_size = _english()
    letters = set(low)
    near = [
        w
        for n in range(len(low) - limit, len(low) + limit + 1)
        for w in by_size.get((low[0], n), ())
        if len(letters.symmetric_difference(w)) <= 2 * limit and w.isalpha()
    ]
    return Speller((), spoken=near).typo(low) if near else None


def _vocab(model: Model) -> tuple[frozenset[str], frozenset[str]]:
    """(stems of the catalog's names and descriptions, stems of its one-word values and value aliases:
    "Enterprize" is near the value, "large accounts" names no value by "accounts" alone).
    """
    hit = _CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1], hit[2]
    names: list[str] = []
    values: list[str] = []
    for m in model.metrics.values():
        names += [m.name, m.label, m.description, str(m.meta.get("definition") or "")]
        names += [str(s) for s in m.meta.get("synonyms") or ()]
    for sm in model.semantic_models.values():
        names += [sm.name, sm.description]
        names += [e.name for e in sm.entities]
        for d in sm.dimensions:
            names += [d.name, d.label, *(str(s) for s in d.meta.get("synonyms") or ())]
            values += [str(v) for v in d.meta.get("values") or ()]
            for v, aliases in (d.meta.get("value_aliases") or {}).items():
                values += [str(v), *(str(a) for a in aliases or ())]
            values += [str(g) for g in (d.meta.get("value_groups") or {})]
        names += [ms.name for ms in sm.measures]
    one_word = [v for v in values if len(stems(v.lower().replace("_", " ").replace("-", " "))) == 1]
    value_stems = frozenset(s for s in stem_set(one_word) if len(s) >= 4)
    name_stems = frozenset(s for s in stem_set(names) if len(s) >= 4)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[id(model)] = (model, name_stems, value_stems)
    return name_stems, value_stems


def _inside_edit(a: str, b: str) -> bool:
    """Not an inflection: "include" / "included", "share" / "shared", "invoice" / "invoices" (a letter
    d, s, r or y added at the end) are other forms of a word, not typos; "revenu" / "revenue" is one.
    """
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return not (len(long) == len(short) + 1 and long.startswith(short) and long[-1] in "dsry")


def _one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter added, dropped or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1 or a[:1] != b[:1]:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]
