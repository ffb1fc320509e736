"""Metamorphic variants of the resolver's dev questions (``bench/resolve_perturb.py``, ``test_perturb.py``).

Every answerable question of the tuning splits (``blindset.TUNING``; never a blind file) that the resolver
reads right is rewritten in ways that keep its meaning, and each variant keeps the original's gold. A variant
the resolver then reads differently is a brittle mechanism, found without writing new gold. Transformations
(``kind:detail``; each skips a question where it cannot apply safely):

- ``synonym:metric|dimension|value``: the words the resolver read as a metric, a breakdown or a filter value
  (its own spans), when they are that item's catalog name, label, synonym or value alias, are replaced by
  another of those that names nothing else in the catalog;
- ``reorder:time|breakdown|filter``: a self-contained time phrase, the ``by X`` breakdown or a trailing filter
  phrase (``in/from/excluding … X``) moves to the front (from the end) or to the end (from elsewhere);
- ``filler:lead|trail``: a polite lead-in or trailer;
- ``case:upper|nopunct|qq``: ALL CAPS, punctuation removed, a trailing ``??``;
- ``typo:metric|breakdown|time|other``: one adjacent-key substitution or dropped letter inside a word of six
  letters or more that is no filter's words nor any catalog value (the detail says which part it was in);
- ``abbrev:time|words``: the shorthand the sets' README allows ("jan", "qtr", "yr", "wk", "mos", "ytd";
  "vs", "w/", "w/o", "#", "&", "avg", "amt", "custs");
- ``threshold``, ``growth``, ``sort``, ``limit``, ``multi``, ``entity``: the gold-guided families of
  ``perturb_kinds.py``, aimed at the kinds that transfer badly to other projects; ``transplant``: the
  question's one metric said as another of the catalog, its gold changed to match (``perturb_kinds``).

Deterministic: each question's choices come from ``random.Random(f"{seed}:{id}:{kind}")``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from metricmind.resolve import Resolver
from metricmind.resolve.resolution import Span
from metricmind.spec.model import Model
from tests.resolve import perturb_kinds


@dataclass(frozen=True)
class Variant:
    """One rewritten question: ``item`` is the original item with ``q`` replaced."""

    kind: str
    qid: str
    original: str
    item: dict[str, Any]

    @property
    def text(self) -> str:
        """The rewritten question."""
        return str(self.item["q"])


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("_", " ").strip().lower())


class Vocabulary:
    """The catalog's phrases by what they name: ``metric:NAME``, ``dim:ENTITY__NAME``,
    ``value:ENTITY__NAME=VALUE``; a phrase naming more than one thing is never swapped in."""

    def __init__(self, model: Model) -> None:
        self.phrases: dict[str, set[str]] = {}
        self.targets: dict[str, list[str]] = {}
        self.shown: dict[str, str] = {}
        """How a phrase is written when swapped in: a short upper-case alias keeps its case ("DE", "NA")."""
        for name, m in model.metrics.items():
            self._add(f"metric:{name}", [name, m.label, *m.synonyms])
        for sm, d in model.iter_dimensions():
            entity = sm.primary or sm.name
            meta = d.meta or {}
            self._add(f"dim:{entity}__{d.name}", [d.name, d.label, *(meta.get("synonyms") or ())])
            aliases = meta.get("value_aliases") or {}
            for value in [*(meta.get("values") or ()), *aliases]:
                self._add(f"value:{entity}__{d.name}={value}", [str(value), *(aliases.get(value) or ())])
        self.nouns = perturb_kinds.entity_nouns(model)
        """The catalog's names for each entity (``perturb_kinds``' ``entity:noun`` family)."""
        self.value_words = {
            w for p, ts in self.phrases.items() if any(t.startswith("value:") for t in ts) for w in p.split()
        }
        self.taken = perturb_kinds.taken_names(self.nouns, self.phrases)

    def _add(self, target: str, phrases: list[str]) -> None:
        for p in phrases:
            n = _norm(str(p))
            if n:
                self.phrases.setdefault(n, set()).add(target)
                if n not in self.targets.setdefault(target, []):
                    self.targets[target].append(n)
                written = str(p).strip()
                if written.isupper() and len(written) <= 3:
                    self.shown[n] = written

    def names(self, target: str, text: str) -> bool:
        """True when ``text`` is one of ``target``'s phrases (or its plural)."""
        n = _norm(text)
        return target in self.phrases.get(n, ()) or (
            n.endswith("s") and target in self.phrases.get(n[:-1], ())
        )

    def alternatives(self, target: str, text: str) -> list[str]:
        """Other phrases of ``target`` that name nothing else (no digits, not the words said)."""
        said = _norm(text).rstrip("s")
        return [
            p
            for p in self.targets.get(target, ())
            if self.phrases[p] == {target} and p.rstrip("s") != said and not re.search(r"[\d()]", p)
        ]


def _replace(q: str, start: int, end: int, new: str) -> str:
    return q[:start] + new + q[end:]


def _span_ok(q: str, s: Span) -> bool:
    return 0 <= s.start < s.end <= len(q) and q[s.start : s.end] == s.text


# -- synonym swap -------------------------------------------------------------------------------------
def synonyms(
    q: str, spans: dict[str, list[Span]], vocab: Vocabulary, rng: random.Random
) -> Iterator[tuple[str, str]]:
    """A variant per span said by a catalog phrase that has another unambiguous phrase."""
    for part, kind in (("metrics", "metric"), ("group_by", "dimension"), ("filters", "value")):
        for s in spans.get(part, ()):
            if not _span_ok(q, s):
                continue
            if part == "metrics":
                target = f"metric:{s.target}"
            elif part == "group_by":
                if s.target.startswith("metric_time"):
                    continue
                target = f"dim:{s.target}"
            else:
                m = re.fullmatch(r"(\w+?)(!=|=)(.+)", s.target)
                if not m:
                    continue
                target = f"value:{m.group(1)}={m.group(3)}"
            if not vocab.names(target, s.text):
                continue
            options = vocab.alternatives(target, s.text)
            if not options:
                continue
            new = vocab.shown.get(choice := rng.choice(options), choice)
            if (
                kind != "value"
                and _norm(s.text).endswith("s")
                and _norm(s.text) not in vocab.phrases
                and not new.endswith("s")
            ):
                new += "s"  # keep a plural said ("plans" -> "pricing plans")
            yield f"synonym:{kind}", _replace(q, s.start, s.end, new)


# -- clause reorder -----------------------------------------------------------------------------------
_TIME_BEFORE_BAD = frozenset(
    "since from to until till through thru between and before after vs versus than the of at as end start "
    "beginning same prior previous last this next per each every by eom eoq eoy bom close".split()
)
_TIME_AFTER_BAD = frozenset("to through thru until till and vs versus v compared than".split())
_TIME_CARRY = frozenset("in for during over across within".split())
_NEGATING = frozenset("not than except excluding without but out ones bar minus ex incl. leaving".split())
"""Words that, just before a filter phrase's preposition, make it part of an exclusion: never moved."""
_LEAD_FILTER = re.compile(
    r"(?:\b(?:in|from|for|among|on|excluding|except(?: for)?|without|w/o|ex|not counting|other than|"
    r"leaving out|apart from)\s+)(?:the\s+)?$",
    re.IGNORECASE,
)


def _word_before(q: str, i: int) -> tuple[str, int]:
    m = re.search(r"([\w/']+)\s*$", q[:i])
    return (m.group(1).lower(), m.start(1)) if m else ("", i)


def _word_after(q: str, i: int) -> str:
    m = re.match(r"\s*([\w/']+)", q[i:])
    return m.group(1).lower() if m else ""


def _move(q: str, start: int, end: int) -> str | None:
    """The clause ``q[start:end]`` moved to the front (when it ends the question) or to the end."""
    clause = q[start:end].strip()
    rest = (q[:start].rstrip(" ,") + " " + q[end:].lstrip(" ,")).strip()
    tail = re.match(r"^(.*?)([?.!]*)$", rest, re.S)
    assert tail is not None
    body, stop = tail.group(1).rstrip(" ,"), tail.group(2)
    if not body or not re.search(r"\w", body):
        return None
    if not re.search(r"\w", q[end:]):  # the clause ends the question: to the front
        return f"{clause}, {body}{stop}"
    if start == 0 or not re.search(r"\w", q[:start]):
        return f"{body} {clause}{stop}"
    return f"{body} {clause}{stop}"


def reorders(q: str, spans: dict[str, list[Span]], item: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Move a self-contained time phrase, the ``by X`` breakdown or a trailing filter phrase."""
    want = item.get("expect") or {}
    times = [s for s in spans.get("time_range", ()) if _span_ok(q, s)]
    if len(times) == 1 and len(spans.get("time_range", ())) == 1 and not want.get("comparison"):
        s = times[0]
        before, at = _word_before(q, s.start)
        after = _word_after(q, s.end)
        if (
            before not in _TIME_BEFORE_BAD
            and after not in _TIME_AFTER_BAD
            and not q[s.end : s.end + 2] == "'s"
        ):
            start = at if before in _TIME_CARRY else s.start
            moved = _move(q, start, s.end)
            if moved and moved != q:
                yield "reorder:time", moved
    groups = [s for s in spans.get("group_by", ()) if _span_ok(q, s)]
    if len(groups) == 1 and len(spans.get("group_by", ())) == 1:
        s = groups[0]
        m = re.search(r"\b(?:by|per|broken down by|split by)\s+(?:the\s+)?$", q[: s.start], re.IGNORECASE)
        after = _word_after(q, s.end)
        if m and after not in ("and", "&", "or", "then") and not q[s.end :].lstrip().startswith((",", "/")):
            moved = _move(q, m.start(), s.end)
            if moved and moved != q:
                yield "reorder:breakdown", moved
    filters = [s for s in spans.get("filters", ()) if _span_ok(q, s)]
    if len(filters) == 1 and len(spans.get("filters", ())) == 1 and not re.search(r"\w", q[filters[0].end :]):
        s = filters[0]
        m = _LEAD_FILTER.search(q[: s.start])
        before = set(re.findall(r"[\w.']+", q[: m.start()].lower())[-3:]) if m else set()
        if m and re.search(r"\w", q[: m.start()]) and not before & _NEGATING:
            moved = _move(q, m.start(), s.end)
            if moved:
                yield "reorder:filter", moved


# -- filler, case and punctuation ---------------------------------------------------------------------
LEADS = ("hey, quick one — ", "hi team! ", "quick q: ", "for the board deck: ", "sorry to bug you - ")
ASKS = ("can you pull ", "could you get me ", "pls send ")
TRAILS = (", thanks!", " pls", " - for the board deck", " thx!", ", when you get a sec")
_ASKING = re.compile(
    r"^(what|whats|what's|how|which|who|where|when|why|is|are|was|were|do|did|does|show|give|list|tell|pull|get|"
    r"compare|can|could|please|pls|i|we|break|rank|sort|top|bottom|split|plot|chart|for|in|on|our|my|hey|hi|"
    r"quick|so|ok|okay|need|want|looking|trying|curious)\b",
    re.IGNORECASE,
)


def fillers(q: str, rng: random.Random) -> Iterator[tuple[str, str]]:
    """A lead-in (an ask only before a noun phrase) and a trailer."""
    leads = LEADS + (() if _ASKING.match(q.strip()) else ASKS)
    yield "filler:lead", rng.choice(leads) + q.strip()
    body = q.strip()
    stop = re.search(r"[?.!]+$", body)
    core = body[: stop.start()] if stop else body
    yield "filler:trail", core + rng.choice(TRAILS)


def cases(q: str) -> Iterator[tuple[str, str]]:
    """ALL CAPS, no punctuation, a trailing ``??``."""
    yield "case:upper", q.upper()
    bare = re.sub(r"[?!,;:\"“”‘’()]", " ", q)
    bare = re.sub(r"(?<=[a-zA-Z])\.(?=\s|$)", " ", bare)
    bare = re.sub(r"(?<=\w)'(?=\w)", "", bare)
    yield "case:nopunct", re.sub(r"\s+", " ", bare).strip()
    yield "case:qq", re.sub(r"[?.!\s]+$", "", q) + "??"


# -- typos ----------------------------------------------------------------------------------------------
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_ROWS):
    for _i, _c in enumerate(_row):
        _NEIGHBOURS[_c] = _row[max(0, _i - 1) : _i] + _row[_i + 1 : _i + 2]


def typos(
    q: str, spans: dict[str, list[Span]], vocab: Vocabulary, rng: random.Random
) -> Iterator[tuple[str, str]]:
    """Up to two variants, each with one typo in a different word (never a filter's words or a value)."""
    parts = {"metrics": "metric", "group_by": "breakdown", "time_range": "time"}
    blocked = [(s.start, s.end) for s in spans.get("filters", ())]
    words = []
    for m in re.finditer(r"[A-Za-z]{6,}", q):
        if any(a < m.end() and m.start() < b for a, b in blocked) or m.group().lower() in vocab.value_words:
            continue
        where = next(
            (
                label
                for part, label in parts.items()
                for s in spans.get(part, ())
                if s.start <= m.start() < s.end
            ),
            "other",
        )
        words.append((m, where))
    for m, where in rng.sample(words, min(2, len(words))):
        word = m.group()
        i = rng.randrange(1, len(word) - 1)
        if rng.random() < 0.5:
            new = word[:i] + word[i + 1 :]
        else:
            near = _NEIGHBOURS.get(word[i].lower(), "")
            if not near:
                continue
            new = word[:i] + rng.choice(near) + word[i + 1 :]
        yield f"typo:{where}", _replace(q, m.start(), m.end(), new)


# -- abbreviations ----------------------------------------------------------------------------------------
_MONTHS = "january february march april june july august september october november december".split()
ABBREV_TIME: tuple[tuple[str, str], ...] = (
    *((m, m[:3]) for m in _MONTHS),
    (r"year to date", "ytd"),
    (r"quarter to date", "qtd"),
    (r"month to date", "mtd"),
    (r"quarters", "qtrs"),
    (r"quarter", "qtr"),
    (r"years", "yrs"),
    (r"year", "yr"),
    (r"weeks", "wks"),
    (r"week", "wk"),
    (r"months", "mos"),
)
ABBREV_WORDS: tuple[tuple[str, str], ...] = (
    (r"versus", "vs"),
    (r"compared (?:to|with)", "vs"),
    (r"without", "w/o"),
    (r"with", "w/"),
    (r"(?:the )?number of", "#"),
    (r"and", "&"),
    (r"average", "avg"),
    (r"amount", "amt"),
    (r"customers", "custs"),
)


def abbreviations(q: str) -> Iterator[tuple[str, str]]:
    """Every time shorthand at once, then every word shorthand at once."""
    for kind, table in (("abbrev:time", ABBREV_TIME), ("abbrev:words", ABBREV_WORDS)):
        out = q
        for long, short in table:
            out = re.sub(rf"(?<![\w/]){long}(?![\w/])", short, out, flags=re.IGNORECASE)
        if out != q:
            yield kind, out


# -- all of them ------------------------------------------------------------------------------------------
def variants(
    items: list[dict[str, Any]],
    resolver: Resolver,
    vocab: Vocabulary,
    *,
    seed: int,
    keep: Callable[[dict[str, Any]], bool],
    gold_kinds: bool = False,
) -> Iterator[Variant]:
    """The variants of each answerable item that ``keep`` accepts (the caller's check that the resolver
    reads the original right); with ``gold_kinds`` also ``perturb_kinds``' gold-guided families."""
    for item in items:
        if not (item.get("expect") or {}).get("answerable", True) or not keep(item):
            continue
        q, qid = str(item["q"]), str(item.get("id"))
        as_of = dt.date.fromisoformat(str(item.get("as_of") or "2025-06-18"))
        spans = resolver.resolve(q, as_of=as_of).spans

        def rng(kind: str, qid: str = qid) -> random.Random:
            return random.Random(f"{seed}:{qid}:{kind}")

        made: list[tuple[str, str]] = [
            *synonyms(q, spans, vocab, rng("synonym")),
            *reorders(q, spans, item),
            *fillers(q, rng("filler")),
            *cases(q),
            *typos(q, spans, vocab, rng("typo")),
            *abbreviations(q),
        ]
        if gold_kinds:
            made += perturb_kinds.kinds(
                q, item.get("expect") or {}, spans, vocab.nouns, vocab.taken, rng("kinds"), vocab.names
            )
        seen = {q}
        for kind, text in made:
            if text not in seen:
                seen.add(text)
                yield Variant(kind, qid, q, {**item, "q": text})
        if gold_kinds:  # another metric in the same question, its gold changed to match
            want = item.get("expect") or {}
            for kind, text, expect in perturb_kinds.transplants(
                q, want, spans, vocab, resolver, rng("moved")
            ):
                if text not in seen:
                    seen.add(text)
                    yield Variant(kind, qid, q, {**item, "q": text, "expect": expect})
