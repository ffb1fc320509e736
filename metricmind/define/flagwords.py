"""A yes/no flag named by its words in another order or form ("claims referred to SIU" of
``is_siu_referral``, labelled "SIU referral"; "borrowers whose KYC was verified" of ``is_kyc_verified``):
every word of one of the flag's phrases of two words or more is said, each as itself or as another form
of the same root ("referred" and "referral", "renewed" and "renewal"), and nothing else of substance is.
One flag only: two flags said so, a word of the rule no flag, entity or glue explains, or a word that
dates ("by month of delivery"), and the rule stays unread.
"""

from __future__ import annotations

from metricmind.define.rulecontext import RULE_GLUE, Flag
from metricmind.define.words import GLUE, stems
from metricmind.spec.names import SEP

#: Endings that turn one root into a noun, a participle or a plural ("referral", "referred", "renewals").
_ENDINGS = ("ations", "ation", "ions", "ion", "ments", "ment", "als", "al", "ed", "ing", "es", "s")
#: A root shorter than this is no root ("red" of "referred", "s" of "as").
_SHORTEST = 4
#: Words of a rule that dates the rows: its words name a date, not a flag ("by month of delivery").
_DATING = frozenset(
    "date dated dates dating month months week weeks day days year years quarter when".split()
)
#: Words of a rule that only say "the rows whose …": said before or after the flag, they add nothing.
_LINKING = frozenset("were was been being be is are got get gets had has have to by for from as".split())


def root(word: str) -> str:
    """``word`` without one ending and a doubled last letter: "referred", "referral" → "refer".

    >>> root("referred"), root("referral"), root("cancellation"), root("canceled")
    ('refer', 'refer', 'cancel', 'cancel')
    """
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _SHORTEST:
            word = word[: -len(ending)]
            break
    if len(word) > _SHORTEST and word[-1] == word[-2]:
        word = word[:-1]
    return word.removesuffix("e") if len(word) > _SHORTEST else word


def flag_in_words(words: tuple[str, ...], flags: list[Flag]) -> tuple[str, list[str]] | None:
    """(the one flag every word of one of whose phrases ``words`` say, by root and in any order; the
    words of substance left over). None when no flag or several are said so.
    """
    if _DATING & set(words):
        return None  # "by month of delivery", "date by completion": which date, never which rows
    roots = [root(w) for w in words]
    hits: dict[str, set[int]] = {}
    for flag in flags:
        for phrase in flag.phrases:
            wanted = [root(w) for w in phrase]
            if len(wanted) < 2 or any(len(w) < _SHORTEST - 1 for w in wanted):
                continue  # one word ("completed") is read as said, never by its root ("completion")
            spots = [next((i for i, r in enumerate(roots) if r == w), -1) for w in wanted]
            if all(i >= 0 for i in spots):
                hits.setdefault(flag.name, set()).update(spots)
    if len(hits) != 1:
        return None
    name, used = next(iter(hits.items()))
    naming = {root(w) for part in name.split(SEP)[:-1] for w in stems(part.replace("_", " "))}
    left = [
        w
        for i, w in enumerate(words)
        if i not in used
        and w not in GLUE
        and w not in RULE_GLUE
        and w not in _LINKING
        and root(w) not in naming
        and not w.isdigit()
    ]
    return name, left


def said_of_flag(words: list[str], flags: list[Flag], name: str | None) -> list[str]:
    """``words`` less those that say flag ``name`` by their root ("referred" of "SIU referral")."""
    roots = {root(w) for f in flags if f.name == name for p in f.phrases for w in p}
    return [w for w in words if root(w) not in roots]
