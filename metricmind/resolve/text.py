"""Words of a question: tokens with their character spans, light stemming, numbers and typo distance.

Everything here is deterministic and dependency-free. Phrases of the catalog (names, labels,
synonyms, value aliases) go through the same ``tokenize`` and ``stem`` as questions, so both sides
meet in one normal form: lower case, hyphens and punctuation as separators, plural and a few verb
forms folded (``customers`` → ``customer``, ``churned`` → ``churn``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from metricmind.wordtables import NUMBER_WORDS

# Words are runs of letters and digits of any script ("région" is one word, not "r" + "gion");
# underscores and punctuation separate words.
_TOKEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]+(?:\.[0-9]+)?%?|[^\W_]+|(?<![^\W_])&(?![^\W_])")

# Irregular forms that should meet their base word.
_LEMMAS = {
    "churned": "churn",
    "churning": "churn",
    "churns": "churn",
    "lose": "lost",
    "losing": "lost",
    "refunded": "refund",
    "refunding": "refund",
    "cancelled": "cancel",
    "canceled": "cancel",
    "cancellation": "cancel",
    "cancelation": "cancel",
    "cancellations": "cancel",
    "acquire": "acquired",
    "acquiring": "acquired",
    "acquisitions": "acquisition",
    "bought": "buy",
    "billed": "bill",
    "used": "usage",
    "add": "new",
    "added": "new",
    "adding": "new",
    "gained": "new",
    "gain": "new",
    "converted": "conversion",
    "convert": "conversion",
    "converting": "conversion",
    "conversions": "conversion",
    "grew": "grow",
    "growing": "grow",
    "grown": "grow",
    "accounts": "account",
    "ads": "ad",
    "clients": "customer",
    "client": "customer",
    "people": "user",
    "revenues": "revenue",
    "analytics": "analytics",
    "sales": "sale",
    "status": "status",
    "bonus": "bonus",
    "was": "was",
    "has": "has",
    "is": "is",
    "this": "this",
    "its": "its",
    "us": "us",
    "saas": "saas",
    "ios": "ios",
    "emea": "emea",
    "apac": "apac",
    "latam": "latam",
    "mm": "mm",
    "dau": "dau",
    "mau": "mau",
    "wau": "wau",
}

FILLERS = frozenset(
    """
    a an the of for in on at to from by per with within during over across into onto about as and or plus
    me us we our ours i my you your they them their it its this that these those there here
    what whats which who whom whose where when why how much many
    is are was were be been being am do does did doing done have has had having will would should could
    can may might must shall let lets please
    show tell give get got list see display find report chart plot graph table view pull bring fetch send
    analyze analyse analyzing analysing summarize summarise summarizing summarising visualize visualise
    want need like know looking look check compute calculate use used uses
    total overall number amount count value values sum figures figure numbers data metric metrics kpi kpis
    all any some each every both either other than then so just also only still really
    up down out off break broken breakdown split splitted grouped group segmented sliced slice broke mix
    versus vs compared compare comparing comparison against relative
    time period periods terms
    what's there's it's s t
    been being overall currently current
    performance performing perform doing trend trends trending trended
    company business our based located headquartered situated everyone everybody anyone
    percentage percent proportion portion fraction d ll m re ve via through using thru pls plz thanks thx
    bring brought generate generated generating make made earn earned drive drove driven drove produce
    produced come came bringing contribute contributed see seen happen happened look looked
    did have had because
    together combined altogether jointly pooled blended
    actually basically honestly literally exactly
    """.split()
)
"""Words that carry no catalog meaning; they never make a question unanswerable."""

GENERIC = frozenset({"rate", "count", "number", "amount", "total", "value", "volume", "sum", "level"})
"""Words a metric phrase may add without changing what is asked (``churn rate`` for ``churn``)."""


@dataclass(frozen=True)
class Token:
    """One word of a question: where it is, its lower-case form and its stem."""

    index: int
    text: str
    norm: str
    stem: str
    start: int
    end: int


def fold(word: str) -> str:
    """Lower case without accents: ``"Région"`` → ``"region"`` (letters that do not decompose are kept).

    >>> fold("Région"), fold("Zürich"), fold("straße")
    ('region', 'zurich', 'straße')
    """
    w = word.lower()
    if w.isascii():
        return w
    return "".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A light, deterministic stem: accents, plural and a few verb forms folded, nothing else."""
    w = fold(word)
    if w in _LEMMAS:
        return _LEMMAS[w]
    if len(w) <= 3 or w[0].isdigit():
        return w
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith(("ches", "shes", "sses", "xes")):
        return w[:-2]
    if w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` with character offsets into it (``'s`` dropped, hyphens split).

    ``norm`` is the word in lower case without accents, so "Région" meets the catalog's "region".
    """
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        norm = (
            "and" if raw == "&" else fold(raw)
        )  # "starter & growth": a list, as with "and" ("r&d" is no list)
        if norm == "s" and m.start() > 0 and text[m.start() - 1] in "'’":
            continue
        out.append(Token(len(out), raw, norm, stem(norm), m.start(), m.end()))
    return out


def stems(text: str) -> tuple[str, ...]:
    """The stems of a phrase."""
    return tuple(t.stem for t in tokenize(text))


def number(word: str) -> int | None:
    """``"5"`` or ``"five"`` → 5; anything else → None."""
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word)


def clause_break(between: str) -> bool:
    """Whether the text ``between`` two words holds punctuation that ends a clause (",", "!", "?", ";", ":",
    a dash).
    """
    return any(c in between for c in ",!?;:—–") or " - " in between


def root(word: str) -> str:
    """A coarser form for loose comparison of modifiers (``acquired`` ~ ``acquire``)."""
    w = stem(word)
    for suffix in ("ing", "ed", "e"):
        if len(w) > 5 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


def distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment edit distance of ``a`` and ``b``, or ``limit + 1`` when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                v = min(v, prev2[j - 2] + 1)
            cur[j] = v
            best = min(best, v)
        if best > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[len(b)]


def typo_limit(word: str) -> int:
    """Edits tolerated in a word of this length (none for short words: ``mrr`` is not ``arr``)."""
    if len(word) >= 8:
        return 2
    if len(word) >= 5:
        return 1
    return 0
