"""Chat shorthand read as the words it stands for: ``qtr`` → quarter, ``prev 3 mos`` → previous 3 months.

Busy people type ``new custs by wk this qtr``, ``trial cvr by acq chnl ytd`` or ``mrr w/o latam``.
``expand`` rewrites such tokens into the words the rest of the resolver reads (keeping each token's
character span, so the answer still points at what was typed). A short form expands to one or more
words; chat fillers (``asap``, ``fyi``) are dropped. Only forms that are never a catalog word of their
own are listed, and a catalog word always wins (``expand`` is given the catalog's vocabulary).
"""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.resolve.jargon import plain_words
from metricmind.resolve.text import FILLERS, Token, root, stem
from metricmind.resolve.words import GRAMMAR

SHORT_FORMS: dict[str, str] = {
    "touchpts": "touchpoints",
    "touchpt": "touchpoint",
    "rt": "rate",
    # time units
    "qtr": "quarter",
    "qtrs": "quarters",
    "qrtr": "quarter",
    "qtrly": "quarterly",
    "mo": "month",
    "mos": "months",
    "mth": "month",
    "mths": "months",
    "mnth": "month",
    "mnths": "months",
    "mthly": "monthly",
    "wk": "week",
    "wks": "weeks",
    "wkly": "weekly",
    "yr": "year",
    "yrs": "years",
    "yrly": "yearly",
    "yday": "yesterday",
    "yest": "yesterday",
    "ystd": "yesterday",
    "rn": "right now",
    "atm": "at the moment",
    "eom": "end of",
    "eoq": "end of",
    "eoy": "end of",
    "prev": "previous",
    "lw": "last week",
    "lm": "last month",
    "lq": "last quarter",
    "ly": "last year",
    "tw": "this week",
    "tm": "this month",
    "tq": "this quarter",
    "ttm": "last 12 months",
    "cnt": "count",
    "ttl": "total",
    "nbr": "number",
    "qty": "quantity",
    "v": "vs",
    "lst": "last",
    # nouns
    "amt": "amount",
    "amts": "amounts",
    "rev": "revenue",
    "svc": "service",
    "svcs": "services",
    "mins": "minutes",  # ("min" alone may be a minimum: only the plural)
    "hrs": "hours",
    "revs": "revenue",
    "cust": "customer",
    "custs": "customers",
    "custmers": "customers",
    "acct": "account",
    "accts": "accounts",
    "acq": "acquisition",
    "chnl": "channel",
    "chnls": "channels",
    "chan": "channel",
    "seg": "segment",
    "segs": "segments",
    "avg": "average",
    "typical": "average",  # ("the typical invoice size": the average one)
    "mean": "average",
    "conv": "conversion",
    "cvr": "conversion rate",
    "usr": "user",
    "usrs": "users",
    "evt": "event",
    "evts": "events",
    "strtd": "started",
    "txn": "transaction",
    "txns": "transactions",
    "inv": "invoice",
    "invs": "invoices",
    "sub": "subscription",
    "subs": "subscriptions",
    "ctry": "country",
    "reg": "region",
    "mktg": "marketing",
    "mkt": "marketing",
    "ppl": "people",
    "folks": "people",
    "val": "value",
    "vals": "values",
    "pmt": "payment",
    "pmts": "payments",
    "pymt": "payment",
    "pymts": "payments",
    "co": "company",
    "cos": "companies",
    "biz": "business",
    "ind": "industry",
    "num": "number",
    "tot": "total",
    "pct": "percent",
    "incl": "including",
    "excl": "excluding",
    "w": "with",
    "didnt": "did not",
    "dont": "do not",
    "doesnt": "does not",
    "arent": "are not",
    "isnt": "is not",
    "wasnt": "was not",
    "werent": "were not",
    "hows": "how is",
    "whats": "what is",
    "hw": "how",
    "wat": "what",
    "wht": "what",
    "whch": "which",
    "gimme": "give me",
    "lemme": "let me",
    "wanna": "want to",
    "u": "you",
    "ur": "your",
    "thru": "through",
    # chat fillers: dropped
    "asap": "",
    "fyi": "",
    "hey": "",
    "hi": "",
    "btw": "",
    "quick": "",
    "pls": "",
    "plz": "",
    "thx": "",
    "ty": "",
    "lmk": "",
    "ok": "",
    "hello": "",
    "thanks": "",
    "cheers": "",
    "urgent": "",
    "kindly": "",
}
"""Short form → the words it stands for ("" drops the word)."""

CONTRACTED = {
    "didn": "did",
    "don": "do",
    "doesn": "does",
    "isn": "is",
    "aren": "are",
    "wasn": "was",
    "weren": "were",
    "hasn": "has",
    "haven": "have",
    "hadn": "had",
    "wouldn": "would",
    "shouldn": "should",
    "couldn": "could",
}
"""The first half of a contraction before "n't" ("didn't" → did not)."""

_LIST_PHRASES = {("as", "well", "as"): 3, ("along", "with"): 2, ("together", "with"): 2}
"""Phrases that join the items of a list as "and" does (the number of words each takes)."""

_UNIT_LETTERS = {"d": "days", "w": "weeks", "m": "months", "q": "quarters", "y": "years", "mo": "months"}


_PER = {"y": "yoy", "q": "qoq", "m": "mom", "w": "wow", "d": "dod"}
_PACKED = re.compile(r"(l|last|t|trailing|p|past)(\d{1,3})(d|w|m|mo|q|y)")


def expand(tokens: list[Token], question: str, vocabulary: frozenset[str] | set[str]) -> list[Token]:
    """The tokens with chat shorthand spelled out (indexes renumbered, character spans kept).

    ``w/o`` becomes "without", ``y/y`` "yoy", ``p/m`` "per month", ``events/feature`` "events per feature" (``per_slash``); a number followed by a unit letter (``30d``, ``6mo``)
    becomes the number and the unit, ``l30d``/``t12m`` the last N units; a word the catalog knows
    (``vocabulary``, stems) is never rewritten.
    """
    out: list[Token] = []
    i = 0
    n = len(tokens)
    while i < n:
        t = tokens[i]
        nxt = tokens[i + 1] if i + 1 < n else None
        joined = _LIST_PHRASES.get(tuple(x.norm for x in tokens[i : i + 3])) or _LIST_PHRASES.get(
            tuple(x.norm for x in tokens[i : i + 2])
        )
        if joined is not None and i + joined < n:
            # "X as well as Y", "X along with Y": a list, as "X and Y"
            out.append(_word(t, "and", t.start, tokens[i + joined - 1].end))
            i += joined
            continue
        if (
            nxt is not None
            and question[t.end : nxt.start] == "-"
            and t.norm.isalpha()
            and nxt.norm.isalpha()
            and stem(t.norm + nxt.norm) in vocabulary
            and not (t.stem in vocabulary and nxt.stem in vocabulary)
        ):
            # "top-ups": the catalog's "topups" (never "top-up channel", whose label has both words)
            out.append(_word(t, t.norm + nxt.norm, t.start, nxt.end))
            i += 2
            continue
        if t.norm == "w" and nxt is not None and nxt.norm == "o" and question[t.end : nxt.start] == "/":
            out.append(_word(t, "without", t.start, nxt.end))
            i += 2
            continue
        if (
            nxt is not None
            and len(t.norm) == 1
            and t.norm == nxt.norm
            and t.norm in _PER
            and question[t.end : nxt.start] == "/"
        ):
            out.append(_word(t, _PER[t.norm], t.start, nxt.end))  # "y/y", "q/q", "m/m", "w/w"
            i += 2
            continue
        if (
            t.norm == "p"
            and nxt is not None
            and nxt.norm in _UNIT_LETTERS
            and question[t.end : nxt.start] == "/"
        ):
            # "p/m", "p/wk": per month, per week (a breakdown by it)
            out.append(_word(t, "per", t.start, t.end))
            out.append(_word(nxt, _UNIT_LETTERS[nxt.norm].removesuffix("s"), nxt.start, nxt.end))
            i += 2
            continue
        packed = None if t.stem in vocabulary else _PACKED.fullmatch(t.norm)
        if packed is not None:
            # "l30d", "last30d", "t12m": the last N units
            count, unit = packed.group(2), _UNIT_LETTERS[packed.group(3)]
            for w in ("last", count, unit):
                out.append(_word(t, w, t.start, t.end))
            i += 1
            continue
        prev = out[-1] if out else None
        if per_slash(tokens, i, question, vocabulary):
            out.append(t)
            out.append(_word(t, "per", t.end, t.end + 1))  # "events/feature": events per feature
            i += 1
            continue
        if (
            nxt is not None
            and nxt.norm == "t"
            and t.norm in CONTRACTED
            and question[t.end : nxt.start] in ("'", "’")
        ):
            # "didn't", "isn't": the negation kept as a word of its own ("did not")
            out.append(_word(t, CONTRACTED[t.norm], t.start, t.end))
            out.append(_word(nxt, "not", nxt.start, nxt.end))
            i += 2
            continue
        if (
            t.norm == "n"
            and prev is not None
            and nxt is not None
            and prev.stem in vocabulary
            and nxt.stem in vocabulary
            and prev.norm not in ("top", "bottom", "first", "last")
        ):
            out.append(_word(t, "and", t.start, t.end))  # "nrr n grr": phone shorthand for "and"
            i += 1
            continue
        if (
            t.norm == "x"
            and prev is not None
            and nxt is not None
            and not (prev.norm.isdigit() or nxt.norm.isdigit())
        ):
            out.append(
                _word(t, "by", t.start, t.end)
            )  # "arr x region", "spend x mo": a breakdown ("mrr x 12": times)
            i += 1
            continue
        if t.norm in _UNIT_LETTERS and prev is not None and prev.norm.isdigit() and prev.end == t.start:
            out.append(_word(t, _UNIT_LETTERS[t.norm], t.start, t.end))
            i += 1
            continue
        words = SHORT_FORMS.get(t.norm)
        if t.norm == "mkt" and prev is not None and prev.norm == "mid":
            words = "market"  # "mid mkt": mid-market, not marketing
        if t.norm == "mean" and prev is not None and prev.norm in SPEAKERS:
            words = None  # "i mean the total": what the asker means, not an average
        words = catalog_word_for(t.norm, words, vocabulary)
        # a catalog word is kept as typed, unless the catalog also uses the word it stands for ("avg" of a
        # measure ``avg_apr`` beside labels saying "Average …": the long form reads every phrase)
        if words is None or (
            t.stem in vocabulary and not (words and all(stem(w) in vocabulary for w in words.split()))
        ):
            out.append(t)
            i += 1
            continue
        for w in words.split():
            out.append(_word(t, w, t.start, t.end))
        i += 1
    return [replace(t, index=k) for k, t in enumerate(plain_words(out, vocabulary))]  # ("book of business")


SPEAKERS = frozenset(
    {"i", "we", "you", "u", "they", "which", "what", "that", "this", "to", "do", "does", "did"}
)
"""Words before "mean" that make it the verb ("I mean", "what do you mean", "does that mean"), never "average"."""


def catalog_word_for(short: str, words: str | None, vocabulary: frozenset[str] | set[str]) -> str | None:
    """The word a noun's short form stands for in this catalog: the listed word when the catalog uses it,
    else the one catalog word (one root) the short form begins ("inv" is inventory where the catalog has
    inventory and no invoice), else the listed word. Time and grammar words keep their listed reading.
    """
    if not words or " " in words or len(short) < 3 or stem(words) in vocabulary:
        return words
    if stem(words) in GRAMMAR or words in GRAMMAR or stem(words) in FILLERS:
        return words
    own = {
        root(v): v for v in sorted(vocabulary, key=len, reverse=True) if v.isalpha() and v.startswith(short)
    }
    own.pop(root(short), None)
    return next(iter(own.values())) if len(own) == 1 else words


def per_slash(tokens: list[Token], i: int, question: str, vocabulary: frozenset[str] | set[str]) -> bool:
    """Whether the "/" right after token ``i`` means "per": a catalog noun, "/", a singular catalog noun,
    and no other "/" around ("events/feature", "revenue/customer"; not "refunds/cancellations",
    "first/mid/last" or "and/or").
    """
    if i + 1 >= len(tokens):
        return False
    a, b = tokens[i], tokens[i + 1]

    def slash(left: int, right: int) -> bool:
        return question[left:right] == "/"

    if not slash(a.end, b.start) or not (a.norm.isalpha() and b.norm.isalpha()):
        return False
    if (i > 0 and slash(tokens[i - 1].end, a.start)) or (
        i + 2 < len(tokens) and slash(b.end, tokens[i + 2].start)
    ):
        return False
    return a.stem in vocabulary and b.stem in vocabulary and b.stem == b.norm and len(b.norm) >= 3


def _word(t: Token, word: str, start: int, end: int) -> Token:
    return replace(t, norm=word, stem=stem(word), start=start, end=end)
