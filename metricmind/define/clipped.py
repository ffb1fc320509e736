"""A value said clipped: "physio clinics" of the service line `physiotherapy`, "ortho" of `orthopaedics`.

People shorten a long one-word value to its first letters. The catalog stores the whole word, so the rule
found no value (or a clinic *name* that happens to hold the short word: "Leeds Headrow Physio") and the
definition was refused. A word of five letters or more is read as the value it starts when exactly one
one-word value of the project's categorical dimensions (declared or held by the warehouse) starts with it
and is at least three letters longer (not an inflection: "cancel" of `cancelled`); the word is no English
word of its own, no value is the word itself, and no name of a semantic model,
entity, dimension, measure or metric uses it (those are the catalog's own words, read as they are). The
proposal keeps the text as written and names the reading in ``doubts`` (``forms.Change``, how "clipped":
its confidence capped like any word form read as another).
"""

from __future__ import annotations

import json
import re

from metricmind.define.forms import WORD, Change
from metricmind.define.proposal import Definition, Proposal, RuleReading
from metricmind.define.words import observed
from metricmind.resolve.spelling import english_words
from metricmind.spec.model import Model

#: The shortest clipped word read as a value: shorter ones ("prem", "ent") clip too many words.
MIN_CLIPPED = 5
#: How many letters a value is longer than the clipped word that stands for it.
MIN_CUT = 3
_ONE_WORD = re.compile(r"[A-Za-z]+")
#: Endings that make a word another form of itself ("cancel" → "cancelled"), never a clipping.
_INFLECTIONS = (
    "s",
    "es",
    "d",
    "ed",
    "led",
    "ing",
    "ling",
    "er",
    "ers",
    "ly",
    "ion",
    "ions",
    "ation",
    "ations",
)


def unclipped(
    definition: Definition,
    model: Model,
    changes: list[Change],
    unclear: list[tuple[str, tuple[str, ...]]] | None = None,
) -> Definition:
    """The definition with each clipped value read whole (module docstring); ``changes`` grows, and
    ``unclear`` with each word that starts several values (kept as written: ``flag_unclear``).
    """
    values, names = _catalog(model)
    english = english_words()

    def reader(text: str) -> str:
        words = [w.lower() for w in WORD.findall(text)]

        def sub(m: re.Match[str]) -> str:
            said = m.group(0)
            low = said.lower()
            if len(low) < MIN_CLIPPED or low in values or low.rstrip("s") in values or low in names:
                return said
            if low in english:  # "cancel", "refer": a word of its own, never a clipping
                return said
            whole = [
                v
                for v in values
                if v.startswith(low) and len(v) >= len(low) + MIN_CUT and v[len(low) :] not in _INFLECTIONS
            ]
            if len(whole) > 1:  # "physio": physiotherapy of a clinic, physiotherapist of a clinician
                every = tuple(sorted(whole))
                whole = _beside(low, whole, words, values)
                if len(whole) != 1 and unclear is not None:
                    unclear.append((said, every))
            if len(whole) != 1:
                return said
            changes.append(Change(said, whole[0], "clipped"))
            return whole[0]

        return WORD.sub(sub, text)

    return Definition(definition.name, reader(definition.text), tuple(reader(r) for r in definition.rules))


def flag_unclear(proposal: Proposal, unclear: list[tuple[str, tuple[str, ...]]]) -> None:
    """A word that starts several values ("Physio appointments": physiotherapy or physiotherapist) and that
    the metric reads as none of them: the definition is unread there, never a metric that ignores it.
    """
    if proposal.metric is None or proposal.refused:
        return
    kept = json.dumps(proposal.metric).lower() + " ".join(r.predicate or "" for r in proposal.rules).lower()
    for said, every in unclear:
        if any(re.search(rf"'{re.escape(v)}'", kept) for v in every):
            continue
        why = f"{said!r} may be {' or '.join(every)}; say which in a rule"
        proposal.rules.append(
            RuleReading(f"(in the definition) {proposal.definition.text}", "unread", 0.0, why)
        )
        return


def _beside(word: str, whole: list[str], words: list[str], values: dict[str, set[str]]) -> list[str]:
    """Of the values ``word`` may stand for, those whose entity the next word names ("physio clinics": the
    clinic's service line, not the clinician's role).
    """
    at = [i for i, w in enumerate(words) if w == word]
    near = {words[i + 1] for i in at if i + 1 < len(words)}
    near |= {w[:-1] for w in near if w.endswith("s")} | {w[:-2] for w in near if w.endswith("es")}
    return [v for v in whole if values[v] & near]


def _catalog(model: Model) -> tuple[dict[str, set[str]], set[str]]:
    """The one-word values of the categorical dimensions (lower case), each with the entities whose rows
    hold it, and the words of the catalog's names.
    """
    held = observed(model)
    values: dict[str, set[str]] = {}
    names: set[str] = set()
    for sm in model.semantic_models.values():
        names.update(sm.name.lower().split("_"))
        names.update(w for e in sm.entities for w in e.name.lower().split("_"))
        for d in sm.dimensions:
            names.update(d.name.lower().split("_"))
            if d.type != "categorical":
                continue
            said = [str(v) for v in d.meta.get("values") or ()] + held.get(f"{sm.primary}__{d.name}", [])
            for v in said:
                if _ONE_WORD.fullmatch(v):
                    values.setdefault(v.lower(), set()).add(sm.primary or "")
        for ms in sm.measures:
            names.update(ms.name.lower().split("_"))
    for m in model.metrics.values():
        names.update(m.name.lower().split("_"))
    return values, names
