"""Exclusions said every way people say them: "apart from EMEA", "w/o LATAM and APAC", "all industries
but education", "leaving out SMB", "other than the partners", "not counting card payments".

Reading an exclusion as the inclusion filter is the worst error the resolver can make, so the cue is
looked for generously before each value, and its scope runs over the whole list of values that
follows it ("excluding LATAM and APAC" excludes both). "but" and "save" are exclusions only after
"all"/"every"/"everyone" ("all channels save partner"); elsewhere they are ordinary words.
"""

from __future__ import annotations

from metricmind.resolve.datawords import DATA_NOUNS
from metricmind.resolve.text import Token

# one word that negates the value after it
CUE_WORDS = frozenset(
    {
        "not",
        "no",
        "non",
        "excluding",
        "exclude",
        "excludes",
        "excluded",
        "except",
        "excepting",
        "without",
        "excl",
        "ex",
        "outside",
        "minus",
        "besides",
        "barring",
        "omitting",
        "omit",
        "ignoring",
        "ignore",
        "sans",
        "nor",
        "drop",
        "dropping",
        "skip",
        "skipping",
        "remove",
        "removing",
        "exclusive",
    }
)
# cues after the value: "partner excluded", "EMEA aside", "SMB left out", "APAC not included"
POST_CUES = frozenset({"excluded", "aside", "removed", "omitted", "excepted", "dropped", "ignored"})
POST_PAIRS = {"left": {"out", "aside"}, "taken": {"out"}, "not": {"included", "counted", "including"}}
POST_BRIDGE = frozenset({"is", "are", "being", "been"})
"""Words between a value and a cue after it, besides the value's dimension's nouns ("SMB segment aside")."""
# the first word of a two-word cue, and the words it pairs with
CUE_PAIRS = {
    "apart": {"from"},
    "aside": {"from"},
    "other": {"than"},
    "leaving": {"out", "aside"},
    "leave": {"out", "aside"},
    "left": {"out"},
    "take": {"out"},
    "taking": {"out"},
    "strip": {"out"},
    "stripping": {"out"},
    "filter": {"out"},
    "filtering": {"out"},
    "rule": {"out"},
}
# "but"/"save" negate only after a word for everything
ALL_WORDS = frozenset(
    {"all", "every", "everyone", "everybody", "everything", "everywhere", "anywhere", "any", "anyone", "each"}
)
BUT_WORDS = frozenset({"but", "save", "bar"})
BARE_BUT = frozenset({"save", "bar"})
"""The prepositions of "all but" that leave out the value right after them with no word for everything before
("GMV, bar Germany"); a word of the catalog there is read as itself (claimed first)."""
# words that may stand between a cue and its value ("excluding the", "not from our", "apart from those in")
BRIDGE = frozenset(
    """the a an our any those these from in on of via for who that which come came coming through to
    with by at paid pay paying in is are were was do
    did does counting including incl include includes out than aside from left leaving over ones one because
    due""".split()
)
WINDOW = 8
SQL_BRIDGE = DATA_NOUNS | {"where"}
"""An analyst's words between a cue and its values ("filtering out rows where industry in (…)"), with the column
named right after "where"."""
NOT_VERBS = frozenset({"counting", "including", "incl", "include", "includes", "included", "counted"})
"""Verbs that make one cue with "not" before them ("not counting", "not including")."""
VERB_CUES = frozenset({"drop", "dropping", "skip", "skipping", "remove", "removing", "omit", "omitting"})
"""Cues that are verbs taking the value as their object ("dropping SMB"): never across a preposition."""
PREPOSITIONS = frozenset({"in", "on", "at", "for", "from", "by", "to", "with", "of", "among", "across"})
CUE_SPELLING = frozenset(
    w
    for w in (
        CUE_WORDS
        | POST_CUES
        | NOT_VERBS
        | VERB_CUES
        | frozenset(CUE_PAIRS)
        | ALL_WORDS
        | BUT_WORDS
        | {x for xs in (*CUE_PAIRS.values(), *POST_PAIRS.values()) for x in xs}
        | frozenset(POST_PAIRS)
    )
    if len(w) >= 5
)
"""The words an exclusion is read from, as the speller knows them: a cue typed with a slip ("not couting
web", "exluding direct") is read as its cue, never left out (which would read the value as a filter)."""


def exclusion_cue(
    tokens: list[Token], first: int, used: list[bool], entities: frozenset[str] = frozenset()
) -> tuple[int, int] | None:
    """The span of the exclusion cue governing the value starting at ``first``, if there is one.

    Looks back at most ``WINDOW`` words, across bridge words only (never across another claimed
    phrase, so "EMEA revenue without refunds" leaves EMEA alone), and across the catalog's entity nouns
    (``entities``, stems), claimed or not ("excluding customers in Germany", "except sellers from DE").
    """
    j = first - 1
    lo = max(0, first - WINDOW)
    while j >= lo:
        w = tokens[j].norm
        if w in CUE_WORDS:
            if w in VERB_CUES and any(t.norm in PREPOSITIONS for t in tokens[j + 1 : first]):
                return None  # "sales dropping in EMEA": falling there, not leaving EMEA out
            if w == "not" and j + 1 < first and tokens[j + 1].norm in NOT_VERBS:
                return j, j + 2  # "not counting the ones from organic": the verb is part of the cue
            return j, j + 1
        if w in BUT_WORDS and any(t.norm in ALL_WORDS for t in tokens[max(0, j - 8) : j]):
            return j, j + 1
        if w in BARE_BUT and j == first - 1 and not used[j]:
            return j, j + 1  # "new buyers, bar organic": the preposition right before the value
        if j + 1 < first and w in CUE_PAIRS and tokens[j + 1].norm in CUE_PAIRS[w]:
            return j, j + 2
        entity = tokens[j].stem in entities or w in RELATIVE or w in PEOPLE
        entity = (
            entity or w in SQL_BRIDGE or (j > 0 and tokens[j - 1].norm == "where")
        )  # "rows where industry in"
        if (w not in BRIDGE and not entity) or (used[j] and not entity):
            r = relative_before(tokens, j, lo)
            if r is None:
                return None
            j = r  # "except the ones whose business closed": the cue's scope runs over its clause
        j -= 1
    return None


PEOPLE = frozenset(
    {
        "anyone",
        "anybody",
        "everyone",
        "everybody",
        "someone",
        "people",
        "folks",
        "ones",
        "anything",
        "whatever",
    }
)
"""Words for whoever a clause describes ("excluding anyone that came via partner")."""
OPENERS = PEOPLE | {"those", "these"}
"""Heads a participle clause follows ("except those made on android", "the ones paid by card")."""
RELATIVE = frozenset({"who", "whose", "that", "which", "where", "whom", "with", "having"})
"""Words opening a clause that says which ones ("the ones whose business closed", "those who cited price")."""


def relative_before(tokens: list[Token], j: int, lo: int) -> int | None:
    """The relative word opening the clause the unclaimed word at ``j`` stands in, at most three words back
    (the clause's own words are any words: "who cited", "whose business"), or None.
    """
    for r in range(j - 1, max(lo, j - 4) - 1, -1):
        if tokens[r].norm in RELATIVE or tokens[r].norm in OPENERS:
            return r
    return None


def exclusion_around(
    tokens: list[Token], first: int, last: int, nouns: frozenset[str] = frozenset()
) -> tuple[int, int] | None:
    """The verb of a two-word cue before the value at ``first``..``last`` and its particle right after it,
    across a noun of the value's dimension (``nouns``, stems): "leaving email out", "taking the SMB segment
    out", "leave the partners aside". The verb's span.
    """
    if last < len(tokens) and tokens[last].stem in nouns:
        last += 1
    if last >= len(tokens):
        return None
    particle = tokens[last].norm
    j = first - 1
    while j >= 0 and first - j <= 3 and tokens[j].norm in ("the", "our", "all", "any"):
        j -= 1
    if j >= 0 and tokens[j].norm in CUE_PAIRS and particle in CUE_PAIRS[tokens[j].norm]:
        return j, j + 1
    return None


def exclusion_after(
    tokens: list[Token], last: int, nouns: frozenset[str] = frozenset()
) -> tuple[int, int] | None:
    """The span of an exclusion cue right after a value ending at ``last`` ("partner excluded"), across
    a noun of the value's dimension (``nouns``, stems: "card payments not included").
    """
    k = last
    while k < len(tokens) and k - last < 2 and (tokens[k].norm in POST_BRIDGE or tokens[k].stem in nouns):
        k += 1
    if k >= len(tokens):
        return None
    w = tokens[k].norm
    if w in POST_CUES:
        return k, k + 1
    if w in POST_PAIRS and k + 1 < len(tokens) and tokens[k + 1].norm in POST_PAIRS[w]:
        return k, k + 2
    return None


EXCLUSION_WORDS = CUE_WORDS | frozenset(CUE_PAIRS) | BUT_WORDS | POST_CUES
"""Words of exclusion cues: grammar, never an unknown concept."""


def in_cue(tokens: list[Token], i: int) -> bool:
    """Whether the word at ``i`` is the second word of a two-word exclusion cue ("not counting", "apart from",
    "leaving out"): part of the cue, never a word naming a metric ("refunds not counting the US").
    """
    if i < 1:
        return False
    prev, word = tokens[i - 1].norm, tokens[i].norm
    return (prev == "not" and word in NOT_VERBS) or word in CUE_PAIRS.get(prev, ())


LIST_JOINS = frozenset({"and", "or", "nor", "the", "plus", "&"})


def continues_list(tokens: list[Token], end: int, first: int) -> bool:
    """Whether only list words ("and", "or", "the") stand between a value ending at ``end`` and the next
    value starting at ``first`` (the exclusion's scope runs on).
    """
    gap = tokens[end:first]
    return all(t.norm in LIST_JOINS for t in gap) and len(gap) <= 2


WEAK_BEFORE = frozenset({"but", "less", "other"})
WEAK_AFTER = frozenset({"out"})


def weak_cue(tokens: list[Token], first: int, last: int) -> tuple[int, int] | None:
    """A word that may or may not exclude the value at ``first``..``last`` ("MRR but EMEA", "less
    EMEA", "EMEA out"): the reading's polarity is unclear, so the resolver asks back.
    """
    j = first - 1
    while j >= 0 and tokens[j].norm in ("the", "our"):
        j -= 1
    if j >= 0 and tokens[j].norm in WEAK_BEFORE:
        after = tokens[j + 1].norm if j + 1 < len(tokens) else ""
        if not (tokens[j].norm == "other" and after == "than") and after not in ("only", "just", "also"):
            return j, j + 1
    if last < len(tokens) and tokens[last].norm in WEAK_AFTER:
        return last, last + 1
    return None


def stray_cue(tokens: list[Token], first: int, used: list[bool]) -> int | None:
    """An exclusion word left unread a few words before the value at ``first`` whose scope could not be
    traced to it ("except those that …"): the value may be left out, so an inclusion is not sure.
    """
    for j in range(max(0, first - WINDOW), first):
        w = tokens[j].norm
        pair = j + 1 < first and w in CUE_PAIRS and tokens[j + 1].norm in CUE_PAIRS[w]
        if not used[j] and (w in CUE_WORDS - {"no", "not", "nor", "non"} or pair):
            return j
    return None
