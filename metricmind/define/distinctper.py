"""Entities with at least N different values among their rows of the month ("accounts with at least 3
different users active in the month", "customers reached through three or more distinct marketing channels
in the month"): a distinct-count threshold per entity.

``entitydays.read_days`` builds the per-entity and month model; this module reads what it counts: the
comparison (a number said in digits or in words, "two" to "twenty"), and the thing counted distinctly,
which must be said with a word of distinctness ("different", "distinct", "unique", "separate"), so "with at
least 3 invoices" stays a count of rows. The thing is one column of the counted rows, found by the head
noun of the words after that word (or the whole phrase): another entity the rows carry ("users": the rows'
``user`` key), or a categorical dimension by its name or a synonym ("marketing channels": ``channel``).
"People" ("persons", "individuals") is the one person-like entity the rows carry (a user, member,
contact, ...), never a guess between two. Anything else leaves the reading to the number check
(``numbers.flag_unread_numbers``): the comparison stays unread.

Pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.define.proposal import RuleReading
from metricmind.define.words import content, stems
from metricmind.spec.model import EntityType, SemanticModel
from metricmind.wordtables import numbers_between

#: Numbers said in words, "two" to "twenty": a filter on the shared table. "one" is left out on purpose: "at
#: least one event" says that rows exist, no threshold.
COMPARED_WORDS = numbers_between(2, 20)
_N = r"\d{1,4}|" + "|".join(COMPARED_WORDS)
#: "at least 3 different users", "three or more distinct channels", "5+ unique pages", "more than two
#: separate agents".
DISTINCT = re.compile(
    rf"\b(?:(?P<op>at least|no fewer than|more than|greater than|over)\s+(?P<n>{_N})|"
    rf"(?P<m>{_N})\s*(?:\+|or more\b))\s+(?:different|distinct|unique|separate)\s+"
    r"(?P<noun>[a-z][a-z-]*(?:\s+[a-z][a-z-]*){0,3})",
    re.IGNORECASE,
)
_OPS = {"at least": ">=", "no fewer than": ">=", "more than": ">", "greater than": ">", "over": ">"}
#: Words that end the noun phrase ("users using the product", "channels in the month").
_STOP = frozenset(
    """
    in on of for per each every that who which whose during within over across through by from to with
    at as and or the a an this their its using used use active each month months day days week
    """.split()
)
#: Words for people, read as the one person-like entity the rows carry.
PEOPLE = frozenset({"people", "person", "persons", "individual", "individuals", "human", "humans"})
#: Entity names that stand for a person.
PERSON_ENTITIES = frozenset(
    "user member contact employee agent visitor guest patient player person learner student".split()
)


@dataclass(frozen=True)
class Distinct:
    """What a distinct-count threshold says: the comparison and the words of the thing counted."""

    op: str
    n: int
    noun: tuple[str, ...]  # the noun phrase, its head last ("marketing", "channels")


def distinct_threshold(text: str) -> Distinct | None:
    """The distinct-count threshold ``text`` says ("at least 3 different users"), else None."""
    m = DISTINCT.search(text)
    if m is None:
        return None
    if m.group("op"):
        op, raw = _OPS[" ".join(m.group("op").lower().split())], m.group("n").lower()
    else:
        op, raw = ">=", m.group("m").lower()
    n = COMPARED_WORDS[raw] if raw in COMPARED_WORDS else int(raw)
    words: list[str] = []
    for w in m.group("noun").lower().split():
        if w in _STOP:
            break
        words.append(w)
    if not words or n < 2:
        return None
    return Distinct(op, n, tuple(words))


def counted_column(sm: SemanticModel, entity: str, said: Distinct) -> tuple[str, str] | None:
    """(column, what it is) of ``sm``'s rows that ``said`` counts distinctly per ``entity``, or None when
    the words name no one column of those rows (then nothing is read).
    """
    head = stems(said.noun[-1])
    phrase = stems(" ".join(said.noun))
    others = [e for e in sm.entities if e.type is not EntityType.PRIMARY and e.name != entity]
    found: list[tuple[str, str]] = []
    for e in others:
        own = stems(e.name.replace("_", " "))
        if own == phrase or own == head:
            found.append((e.expr or e.name, f"the {e.name} key"))
    if not found:
        for d in sm.dimensions:
            if d.type != "categorical":
                continue
            names = [d.name.replace("_", " "), *(str(s) for s in d.meta.get("synonyms") or ())]
            if any(stems(x) in (phrase, head) for x in names):
                found.append((d.expr or d.name, f"the dimension {d.name}"))
    if not found and said.noun[-1] in PEOPLE:
        found = [(e.expr or e.name, f"the {e.name} key") for e in others if e.name in PERSON_ENTITIES]
    if len(found) != 1 or not re.fullmatch(r"[a-z_][a-z0-9_]*", found[0][0]):
        return None
    return found[0]


def covered_distinct(
    readings: list[RuleReading], sm: SemanticModel, entity: str, said: Distinct, column: str
) -> list[RuleReading]:
    """``readings`` with each unread rule of the person's that only restates the distinct count read as
    covered: every content word of it names the rows, the entity, the thing counted or the counting ("A
    person is a user with at least one event in the month", "Count distinct channels per customer among
    the month's touchpoints"); a rule with any other word stays unread.
    """
    names = [sm.name, sm.primary or "", entity, column, " ".join(said.noun), *(e.name for e in sm.entities)]
    explained = set(RESTATING) | {w for x in names for w in content(x)}
    if said.noun[-1] in PEOPLE:
        explained |= set(stems(" ".join(PEOPLE)))
    out = []
    for r in readings:
        words = said_words(r.text)
        if r.status == "unread" and not r.text.startswith("(") and words and set(words) <= explained:
            r = RuleReading(r.text, "covered", 0.75, f"restates the distinct count of {column} per {entity}")
        out.append(r)
    return out


#: Words that carry no meaning of their own in a rule (a narrower list than the resolver's glue words: a
#: rule restating a computation must not hide a word such as "express" that may name a value).
_BARE = frozenset(
    """
    a an the of to in on at by for with and or is are be been was were that who whom which they them their
    it its we us our he she his her this these those each every per
    """.split()
)


def said_words(text: str) -> list[str]:
    """The stems of ``text`` but for articles, prepositions and pronouns ("Only express parcels": only,
    express, parcel).
    """
    return [
        w
        for w in stems(text.lower().replace("'s", "").replace("_", " "))
        if w not in _BARE and not w.isdigit()
    ]


#: Words a rule restating a distinct count per entity and month may use beside the names involved.
RESTATING = frozenset(
    stems(
        """
        count counted counts counting distinct different unique separate each per among month months
        calendar one least any every rows row means mean is are with has have had
        """
    )
)
