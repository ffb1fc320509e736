"""Which words of a definition carry the metric's meaning (its *core*), and which only qualify it.

A definition names what it measures in a noun phrase: "Largest single subscription's **MRR** at month
end", "Average Net Promoter **Score** of paying customers", "Monthly recurring **revenue** reported in
euros". The phrase's head (its last noun, before a preposition, a relative word, a verb or punctuation)
is what the metric is; the words before it modify it, and the clauses after it qualify it. A word the
catalog does not know is *core* when it is the head, modifies only unknown words ("net promoter score":
nothing the catalog has is named) or stands right before the head ("marketing qualified leads": the kind
of lead), and *incidental* otherwise ("single" of the possessor in "single subscription's MRR", "euros"
after "reported in"). An unknown core word refuses the definition; an incidental one is a
doubt (``confidence.py`` caps the confidence and reports it).

The phrases read: the first of the definition's first sentence, and each later part of a ratio or
difference (after "per", "divided by", "out of", "minus" …, up to a comma) whole: "Invoice revenue minus
cost of goods sold" refuses for "goods". A lead ending in a colon ("API usage intensity: events per active API user") is a title when the
rest has a head of its own that the catalog knows: its words then only qualify.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from metricmind.define.words import GLUE, SOFT, stems

#: Words that end a noun phrase: prepositions, relative and conjunctive words (grammar, not the catalog).
BOUNDARY = frozenset(
    "of in on at by per for to with through via from into over under after before during since until till "
    "while when whose who which what where than that and or but as within across among between against "
    "without except excluding including".split()
)
#: Separators of the parts of a ratio or a difference: each part has a head of its own.
PARTS = re.compile(
    r"\b(?:per|divided by|over|out of(?! (?:a|an|our|one of our)\b)|as an? (?:share|percentage|fraction|proportion) of|minus|less|"
    r"net of|versus|vs|relative to|compared (?:to|with))\b|[÷/]",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9_'’-]*|[,;:()]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def core_unknown(
    text: str,
    unknown: set[str],
    is_known: Callable[[str], bool],
    verbs: set[str],
    is_value: Callable[[str], bool] | None = None,
) -> list[str]:
    """The words of ``unknown`` (stems) that are the core of the definition ``text``.

    Args:
        text: The definition as written (one line, maybe several sentences).
        unknown: The stems of its words that the catalog does not know.
        is_known: Whether a stem is known to the catalog (a noun head that names something).
        verbs: Stems the text uses as verbs (they end a phrase).
        is_value: Whether a stem names a value of a dimension: an unknown word right after one, before the
            head, is the value's own word ("water damage claims": the water peril's claims), not a kind
            of the head.
    """
    if not unknown:
        return []
    first = _SENTENCE.split(text.strip(), maxsplit=1)[0]
    lead, colon, body = first.partition(":")
    if colon and _has_known_head(body, unknown, is_known, verbs):
        return list(dict.fromkeys(_heads(body, unknown, is_known, verbs, is_value)))
    return list(dict.fromkeys(_heads(first.replace(":", ","), unknown, is_known, verbs, is_value)))


def _has_known_head(text: str, unknown: set[str], is_known: Callable[[str], bool], verbs: set[str]) -> bool:
    phrase = _phrase(_words(PARTS.split(text, maxsplit=1)[0]), verbs)
    return bool(phrase) and phrase[-1] not in unknown and is_known(phrase[-1])


def _heads(
    text: str,
    unknown: set[str],
    is_known: Callable[[str], bool],
    verbs: set[str],
    is_value: Callable[[str], bool] | None = None,
) -> list[str]:
    """The unknown words of each part's noun phrase that no known word follows (the head's run)."""
    out: list[str] = []
    for i, part in enumerate(PARTS.split(text)):
        if i:  # a later part of a ratio or difference is a short phrase: every unknown word of it counts
            tokens = _words(re.split(r"[,;(]", part, maxsplit=1)[0])
            out.extend(w for w in tokens if w in unknown)
            continue
        phrase = _phrase(_words(part), verbs)
        run: list[str] = []
        for word in phrase:
            if word in unknown:
                run.append(word)
            elif is_known(word):
                run = []
        out.extend(run)
        valued = len(phrase) > 2 and is_value is not None and is_value(phrase[-3])  # "water damage claims"
        if len(phrase) > 1 and phrase[-2] in unknown and not valued:  # "marketing qualified leads": a kind
            out.append(phrase[-2])
    return out


def _words(text: str) -> list[str]:
    """Tokens of ``text``: stems of words (a possessive dropped), punctuation kept as itself."""
    out: list[str] = []
    for token in _TOKEN.findall(text):
        if not token[0].isalpha():
            out.append(token)
            continue
        word = re.sub(r"['’]s?$", "", token.lower()).replace("-", " ").replace("_", " ")
        out.extend(stems(word))
        if word != token.lower() and token.lower().endswith(("'s", "’s", "s'", "s’")):
            out.append("'s")  # a possessor: what follows is the phrase's head
    return out


def _phrase(tokens: list[str], verbs: set[str]) -> list[str]:
    """The first noun phrase of ``tokens``: after leading glue and grading words, up to a boundary."""
    i = 0
    while i < len(tokens) and (tokens[i] in GLUE or tokens[i] in SOFT or not tokens[i][0].isalpha()):
        i += 1
    phrase: list[str] = []
    rest = tokens[i:]
    for j, token in enumerate(rest):
        if token == "'s":  # "single subscription's MRR": the possessor only qualifies the head
            phrase = []
            continue
        if not token[0].isalpha() or token in BOUNDARY or token in verbs:
            break
        after = rest[j + 1] if j + 1 < len(rest) else ","
        if (
            phrase
            and token.endswith("ed")
            and len(token) > 4
            and (not after[0].isalpha() or after in BOUNDARY)
        ):
            break  # "revenue reported in …": a participle after the head ("qualified leads" modifies)
        if (
            phrase
            and token.endswith("ly")
            and len(token) > 4
            and (not after[0].isalpha() or after in BOUNDARY)
        ):
            break  # "cash collected electronically": an adverb ends the phrase, it names nothing
        phrase.append(token)
    return [w for w in phrase if w not in GLUE]
