"""Learned words: what a correction may teach the resolver, and which words a resolver applies.

A learned word maps a phrase to a metric, a dimension or a dimension value. It never overrides a
name: a phrase that (after the resolver's normalisation: lower case, accents, plurals) is already the
name, label, declared synonym or value of something else is refused (:func:`check_word`), and such a
phrase is also ignored when a resolver is built (``build_lexicon``), whatever a file says.

Which words apply (:func:`learned_tables`): the project's shared vocabulary (approved in review, in
``metricmind/vocabulary.yml``) for everyone, and a person's own words (kept in the catalog store) for
that person only, where they win over a shared word with the same phrase.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Protocol

from metricmind.errors import MetricmindError, UnknownNameError
from metricmind.resolve.lexicon import EXACT_SOURCES, build_lexicon
from metricmind.resolve.text import stems
from metricmind.spec.model import Model
from metricmind.spec.vocabulary import KINDS

MAX_PHRASE_CHARS = 80
"""The longest phrase a person can teach (a few words, not a sentence)."""


class VocabularyError(MetricmindError):
    """A learned word that is refused: it would override a name, or it names nothing."""

    code = "invalid_vocabulary"


class LearnedWord(Protocol):
    """Anything with a phrase, a kind and a target (a shared ``Word``, a row of the store)."""

    @property
    def phrase(self) -> str: ...  # noqa: D102

    @property
    def kind(self) -> str: ...  # noqa: D102

    @property
    def target(self) -> str: ...  # noqa: D102


def normalise(phrase: str) -> str:
    """A phrase as stored: words separated by one space, lower case (``"  Paying  Accounts"`` → …)."""
    return " ".join(phrase.split()).lower()


def learned_tables(
    shared: Iterable[LearnedWord], personal: Iterable[LearnedWord] = ()
) -> dict[str, dict[str, str]]:
    """``{kind: {phrase: target}}`` for ``build_lexicon``: shared words, then one person's own words."""
    out: dict[str, dict[str, str]] = {}
    for word in [*shared, *personal]:
        if word.kind in KINDS:
            out.setdefault(word.kind, {})[normalise(word.phrase)] = word.target
    return out


def check_word(
    model: Model, phrase: str, target: str, values: Mapping[str, list[str]] | None = None
) -> tuple[str, str]:
    """``(kind, phrase)`` for teaching that ``phrase`` means ``target``; a ``VocabularyError`` or an
    ``UnknownNameError`` (with suggestions) when it may not be learned.

    ``target`` is a metric, a categorical dimension (``customer__region``) or a value of one
    (``customer__region=EMEA``). The phrase may not already name anything exactly (a metric's or
    dimension's name, label or declared synonym, a value or its alias), neither something else (that
    would change what the name means) nor the target itself (there is nothing to learn).
    """
    text = normalise(phrase)
    where = f"the phrase {phrase.strip()!r}"
    if not text or not stems(text):
        raise VocabularyError(f"{where} has no words", hint="Teach a word or a few, e.g. 'area'.")
    if len(text) > MAX_PHRASE_CHARS:
        raise VocabularyError(
            f"{where[:60]}… is {len(text)} characters long; a learned phrase has at most {MAX_PHRASE_CHARS}",
            hint="Teach the few words that were misread, not the whole question.",
        )
    target = target.strip()
    lex = build_lexicon(model, None, dict(values or {}))
    kind = _kind(model, lex.dims, target)
    clash = sorted(
        {(e.kind, e.target, e.source) for e in lex.lookup(stems(text)) if e.source in EXACT_SOURCES}
    )
    if clash:
        others = [c for c in clash if c[1] != target]
        shown = others or clash
        named = ", ".join(f"the {s} of {k} {t}" for k, t, s in shown[:3])
        if others:
            raise VocabularyError(
                f"{where} is already {named}; a learned word never overrides a name",
                hint=f"Teach a phrase of your own for {target}, or ask a data owner to change the "
                "definition (a synonym in its config.meta goes through review).",
            )
        raise VocabularyError(f"{where} already means {target} ({named}); there is nothing to learn")
    return kind, text


def _kind(model: Model, dims: Mapping[str, object], target: str) -> str:
    """``metric``, ``dimension`` or ``value`` for a known target; ``UnknownNameError`` otherwise."""
    if target in model.metrics:
        return "metric"
    if target in dims:
        return "dimension"
    name, _, value = target.partition("=")
    if value and name in dims:
        known = getattr(dims[name], "values", ())
        if not known or value in known:
            return "value"
        raise UnknownNameError(f"value of {name}", value, known)
    raise UnknownNameError("metric or dimension", target, [*model.metrics, *dims])
