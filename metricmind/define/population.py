"""The rows a rate is of, said by the definition when a rule states the ratio.

"No-show rate of Booking.com reservations" with the rule "no-shows divided by all reservations": the
definition says which rows both parts count ("of Booking.com reservations"), the rule only how to divide.
``population_of`` finds that phrase; ``read_population`` reads it as a filter of one part (or says why it
cannot: a word no filter reads is never dropped); ``stray_values`` finds values the definition names
that neither part nor the population says, and ``one_sided`` those only the denominator keeps: the ratio
would otherwise silently leave them out of a part.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from metricmind.define import rules as rulebook
from metricmind.define.implied import state_words
from metricmind.define.parts import explained, home_words, own_words, part_values, strip_own
from metricmind.define.terms import Term
from metricmind.define.words import GLUE, content, lexicon, stems
from metricmind.spec.model import Metric, Model

#: "rate of …", "share among …": the rows the rate is of, up to a comma, a scale, a period or a clause
#: that says which of them the numerator counts ("share of orders that end up cancelled": orders).
POPULATION = re.compile(
    r"(?<!\bas a )(?<!\bas an )\b(?:rate|share|percentage|percent|proportion|fraction)\s+"
    r"(?:of|among|across|for|in)\s+"
    r"(?P<pop>[^,;:()]+?)\s*(?=,|;|:|\(|$|\b(?:as an?|expressed|shown|given|written|per|by|each|every|"
    r"in the|for the|during|over|that|who|which|whose|where|when|with|without|ending|ended|end)\b)",
    re.IGNORECASE,
)


def population_of(text: str) -> str:
    """The phrase naming the rows a rate is of ("Booking.com reservations"), or ""."""
    m = POPULATION.search(text.strip().rstrip("."))
    if m is None:
        return ""
    pop = m.group("pop").strip()
    return pop if content(pop) else ""


def read_population(
    population: str,
    model: Model,
    extended: Model,
    homes: list[str],
    base: Metric | None,
    term: Term | None,
    ctx: rulebook.Context,
    reads: list[rulebook.Read],
    shown: str,
    said_by: tuple[str, ...] = (),
) -> rulebook.Read | str | None:
    """The population read as a filter of one part: None when it names no value (every word explained by
    the part's rows, its metric's description or ``said_by``, the ratio's parts) or only values the part
    already keeps; the reading; or why it cannot be read.
    """
    rest = strip_own(population, base, term)
    found = part_values(model, rest, ctx)
    known = explained(extended, homes, base) | own_words(base, term) | set(content(" ".join(said_by)))
    if base is not None:  # "all product events" of `events`, "product events" in its description
        known |= home_words(model, base) | set(content(base.description))
    if not found:
        left = [w for w in content(rest) if w not in known]
        if left:
            return f"the definition's {population!r} says {', '.join(map(repr, left))}, which no filter reads"
        return None
    have = {(r.dimension, v) for r in reads for v in r.values}
    if all(f in have for f in found):
        return None
    said = rulebook.read_rule(f"only {rest}", replace(ctx, covering=[]))
    if said.reading.status != "filter":
        return f"cannot read the definition's {population!r} as a filter ({said.reading.reason})"
    _, leftover = rulebook.values_in(rest, ctx)
    compared = set(content(str(said.column_sql or "")))
    left = [w for w in leftover if w not in known | compared]
    if left:
        return f"the definition's {population!r} says {', '.join(map(repr, left))}, which no filter reads"
    return replace(said, reading=replace(said.reading, text=f"(in the definition) {shown}"))


def one_sided(model: Model, text: str, numerator: dict[str, Any], denominator: dict[str, Any]) -> list[str]:
    """Values ``text`` (the definition) names that the denominator keeps and the numerator does not
    ("Booking.com no-show rate" + "no-shows divided by all Booking.com reservations"): a rate whose
    numerator counts rows outside its denominator.
    """
    num, den = _filters_of(model, numerator), _filters_of(model, denominator)
    out = []
    for phrase, targets in _values_named(model, text):
        values = [t.partition("=")[2] for t in targets]
        if any(f"'{v}'" in den for v in values) and not any(f"'{v}'" in num for v in values):
            out.append(phrase)
    return out


def _filters_of(model: Model, side: dict[str, Any]) -> str:
    """The SQL of a ratio side's filter and of its metric's own (an existing metric's)."""
    out = [str(side.get("filter") or "")]
    m = model.metrics.get(str(side.get("name")))
    if m is not None:
        out += [w.sql for w in m.filter] + [w.sql for w in (m.measure.filter if m.measure else ())]
    return " ".join(out)


def stray_values(model: Model, text: str, said: list[str]) -> list[str]:
    """Phrases of ``text`` that name a dimension's value and occur in none of ``said`` (the parts' and the
    population's words): values a rule-stated ratio would leave out.
    """
    covered = [stems(s.lower().replace("-", " ").replace("_", " ")) for s in said if s]
    return [p for p, _ in _values_named(model, text) if not any(_said_in(stems(p), c) for c in covered)]


def _values_named(model: Model, text: str) -> list[tuple[str, list[str]]]:
    """(phrase, its value targets) for each phrase of ``text`` that names a dimension's value as written."""
    lx = lexicon(model)
    states = state_words(model) | GLUE
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    used = [False] * len(words)
    out: list[tuple[str, list[str]]] = []
    for size in range(min(lx.max_len, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            key = words[i : i + size]
            if any(used[i : i + size]) or all(w in GLUE for w in key):
                continue
            entries = lx.lookup(key)
            # a value as written ("Booking.com", "web"), not a word that also names a dimension or metric
            # ("feature"), a loose alias ("cost" for price) or a state a metric's name says ("active")
            if not any(e.kind == "value" and e.source in ("value", "observed") for e in entries):
                continue
            if any(e.kind != "value" for e in entries) or set(key) <= states:
                continue
            used[i : i + size] = [True] * size
            out.append((" ".join(key), [e.target for e in entries if e.kind == "value"]))
    return out


def _said_in(key: tuple[str, ...], words: tuple[str, ...]) -> bool:
    """Every word of ``key`` is in ``words``, in any order and inflection ("billed annually" in
    "Annual-billing seats"): the same first five letters (all of the shorter word's, when shorter).
    """
    return all(_said_word(w, words) for w in key if w not in GLUE)


def _said_word(word: str, words: tuple[str, ...]) -> bool:
    """``word`` or its plural's singular ("walk ins": "ins" → "in") is in ``words`` or a glue word."""
    base = word[:-1] if len(word) > 2 and word.endswith("s") else word
    return base in GLUE or any(_kin(word, s) or base == s for s in words)


def _kin(a: str, b: str) -> bool:
    n = min(5, len(a), len(b))
    return n >= 3 and a[:n] == b[:n]
