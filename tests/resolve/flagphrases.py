"""Questions generated from a catalog: every yes/no dimension said true and false in templated phrasings, and
every categorical value left out in the ways people say it (issue 14: "ask" must read the mechanism, not the
dev sets' phrasings).

Nothing here names a project: the flags are the catalog's ``is_``/``has_``/``was_``/``had_`` dimensions and its
dimensions whose values are ``true``/``false``; the words are their names (less the prefix), the subject is their
entity's noun, and the metric one simple metric reaching the dimension that resolves alone to itself. Each case
carries the filter it must be read as. ``flag_cases`` and ``exclusion_cases`` are used by
``tests/resolve/test_flag_phrases.py``, ``tests/resolve/test_exclusion_phrases.py`` and ``bench/resolve_flags.py``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from metricmind.resolve import Resolver
from metricmind.resolve.countries import NAMES as COUNTRY_NAMES
from metricmind.resolve.resolution import Filter
from metricmind.spec.model import Model
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from metricmind.testing.lending import copy_lending
from metricmind.testing.marketplace import build_duckdb, copy_marketplace
from metricmind.testing.pixelforge import copy_pixelforge
from metricmind.testing.shop import copy_shop
from metricmind.testing.studyhall import copy_studyhall

FLAG_PREFIXES = ("is_", "has_", "was_", "had_")
AS_OF = dt.date(2026, 1, 1)


def copy_marketplace_built(root: Path) -> Path:
    """The marketplace project with its DuckDB warehouse built."""
    copy_marketplace(root)
    build_duckdb(root / "target" / "marketplace.duckdb")
    return root


BUILDERS: dict[str, Callable[[Path], Path]] = {
    "bazaar": copy_bazaar,
    "helpdesk": copy_helpdesk,
    "lending": copy_lending,
    "lastmile": copy_lastmile,
    "harbor": copy_harbor,
    "pixelforge": copy_pixelforge,
    "studyhall": copy_studyhall,
    "shop": copy_shop,
    "marketplace": copy_marketplace_built,
}
"""Every sample project besides the demo, each with its warehouse built."""


@dataclass(frozen=True)
class Case:
    """One generated question and the one filter it must be read as (the metric alone besides)."""

    project: str
    template: str
    question: str
    metric: str
    want: Filter
    said: str = ""
    """The metric's words alone (what "<said>" reads as: the metric, unfiltered)."""
    also: tuple[Filter, ...] = ()
    """Other filters that read the question as rightly: a value of another dimension of the flag's entity spelt
    as the flag's word ("paid invoices": ``status = paid`` beside ``is_paid``; the catalog leaves it open)."""


def plural(word: str) -> str:
    """English plural of a noun (enough for entity nouns: "loan", "property", "class", "box")."""
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def typo(word: str) -> str:
    """The word with two inner letters swapped ("refunded" → "refudned"), as a hurried hand types it."""
    k = len(word) // 2
    return word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]


def flags(model: Model, values: dict[str, list[str]]) -> Iterator[tuple[str, str, str]]:
    """Each yes/no dimension: its name (``entity__dim``), its words (the name less its prefix) and its entity."""
    for sm in model.semantic_models.values():
        if not sm.primary:
            continue
        for d in sm.dimensions:
            name = f"{sm.primary}__{d.name}"
            said = {v.lower() for v in values.get(name, [])}
            if d.type != "categorical":
                continue
            if d.name.startswith(FLAG_PREFIXES):
                words = d.name.split("_", 1)[1].replace("_", " ")
            elif said == {"true", "false"}:
                words = d.name.replace("_", " ")
            else:
                continue
            yield name, words, sm.primary


def metric_for(resolver: Resolver, dim: str, avoid: set[str]) -> tuple[str, str] | None:
    """A simple, unfiltered metric reaching ``dim`` whose words (label, else name) resolve alone to it: the
    metric and its words. Prefers a metric of the dimension's own entity; none whose name holds ``avoid``.
    """
    model = resolver.model
    entity = dim.split("__", 1)[0]
    ranked = sorted(
        model.metrics.values(),
        key=lambda m: (
            entity not in {model.semantic_models[s].primary for s in model.source_models(m.name)},
            m.name,
        ),
    )
    for m in ranked:
        if m.type != "simple" or m.filter or avoid & set(m.name.split("_")):
            continue
        if not resolver.reachable(m.name, dim):
            continue
        for words in (m.name.replace("_", " "), (m.label or "").lower()):
            if not words:
                continue
            res = resolver.resolve(words, as_of=AS_OF)
            if res.answerable and res.metrics == [m.name] and not res.filters and not res.group_by:
                return m.name, words
    return None


def subject(words: str, entity: str) -> str:
    """The flag's words said of its entity ("refunded purchases"; "first loans" where the name ends in it)."""
    noun = entity.replace("_", " ")
    if words.split()[-1] == noun.split()[-1]:
        return plural(words)
    return f"{words} {plural(noun)}"


def nounish(words: str, prefix: str) -> bool:
    """Whether a flag's words are a thing the rows have ("marketing consent", "gift"), said after "with": a
    ``has_`` flag's, or one word that no adjective or participle ending marks."""
    adjective = ("ed", "ic", "al", "ive", "ous", "ful", "able", "ing", "ent", "ant")
    return prefix in ("has", "had") or (" " not in words and not words.endswith(adjective))


DONT_HAVE, WERENT = "don't have", "weren't"
FLAG_TEMPLATES: dict[str, tuple[bool, Callable[[str, str, str, str, str], str | None]]] = {
    # name: (value, (metric words, flag words, entity noun, prefix, dim column) -> question)
    "adjective": (True, lambda m, w, e, p, c: f"{m} for {subject(w, e)}"),
    "x-only": (True, lambda m, w, e, p, c: f"{m}, {w} only"),
    "flagged-as": (True, lambda m, w, e, p, c: f"{m} for {plural(e)} flagged as {w}"),
    "that-were": (
        True,
        lambda m, w, e, p, c: f"{m} for {plural(e)} {'with' if p in ('has', 'had') else 'that were'} {w}",
    ),
    "that-are": (
        True,
        lambda m, w, e, p, c: f"{m} for {plural(e)} that {'have' if p in ('has', 'had') else 'are'} {w}",
    ),
    "since-been": (
        True,
        lambda m, w, e, p, c: (
            None if p in ("has", "had") else f"{m} for {plural(e)} that have since been {w}"
        ),
    ),
    "only-the-ones": (True, lambda m, w, e, p, c: f"{m}, only the {w} ones"),
    "with-a": (
        True,
        lambda m, w, e, p, c: f"{m} for {plural(e)} with a {w}" if nounish(w, p) else None,
    ),
    "w/": (True, lambda m, w, e, p, c: f"{m} w/ {w}" if nounish(w, p) else None),
    "sql-true": (True, lambda m, w, e, p, c: f"{m} where {c} = true"),
    "typo": (
        True,
        lambda m, w, e, p, c: f"{m} for {subject(typo(w) if len(w) >= 6 and ' ' not in w else w, e)}",
    ),
    "hyphenated": (
        True,
        lambda m, w, e, p, c: f"{m} for {subject(w.replace(' ', '-'), e)}" if " " in w else None,
    ),
    "hyphen-only": (True, lambda m, w, e, p, c: f"{m}, {w.replace(' ', '-')}-only"),
    "where-is": (
        True,
        lambda m, w, e, p, c: f"{m} where the {e} {'has' if p in ('has', 'had') else 'is'} {w}",
    ),
    "sql-one": (True, lambda m, w, e, p, c: f"{m} where {c} = 1"),
    "non-x": (False, lambda m, w, e, p, c: f"{m} for non-{subject(w, e)}"),
    "sql-not-true": (False, lambda m, w, e, p, c: f"{m} where {c} != true"),
    "where-is-not": (
        False,
        lambda m, w, e, p, c: f"{m} where the {e} {'does not have' if p in ('has', 'had') else 'is not'} {w}",
    ),
    "not-x": (
        False,
        lambda m, w, e, p, c: (
            f"{m} for {plural(e)} {'without' if p in ('has', 'had') else 'that were not'} {w}"
        ),
    ),
    "contracted-not": (
        False,
        lambda m, w, e, p, c: f"{m} for {plural(e)} that {DONT_HAVE if p in ('has', 'had') else WERENT} {w}",
    ),
    "w/o": (False, lambda m, w, e, p, c: f"{m} w/o {w}" if nounish(w, p) else None),
    "excluding-x": (False, lambda m, w, e, p, c: f"{m} excluding {subject(w, e)}"),
    "sql-false": (False, lambda m, w, e, p, c: f"{m} where {c} = false"),
    "un-x": (
        False,
        lambda m, w, e, p, c: f"{m} for un{subject(w, e)}" if " " not in w and w.endswith("ed") else None,
    ),
}
"""How people say a yes/no dimension true or false, as templates over the catalog's words."""


def same_word_values(
    resolver: Resolver, dim: str, words: str, values: dict[str, list[str]]
) -> list[tuple[str, str]]:
    """The values of the flag's entity's other dimensions spelt as its words (``invoice__status = paid`` beside
    ``invoice__is_paid``): each dimension and value."""
    entity = dim.split("__", 1)[0]
    out: list[tuple[str, str]] = []
    listed = {n: list(info.values) for n, info in resolver.lex.dims.items()} | values
    for other, vals in listed.items():
        if other == dim or other.split("__", 1)[0] != entity:
            continue
        out += [(other, v) for v in vals if v.replace("_", " ").lower() == words]
    return out


def flag_cases(project: str, resolver: Resolver, values: dict[str, list[str]]) -> list[Case]:
    """Every flag template's question on every yes/no dimension of the project a metric reaches."""
    out: list[Case] = []
    for dim, words, entity in flags(resolver.model, values):
        column = dim.split("__", 1)[1]
        prefix = column.split("_", 1)[0]
        found = metric_for(resolver, dim, set(column.split("_")[1:]))
        if found is None:
            continue
        metric, said = found
        twins = same_word_values(resolver, dim, words, values)
        for template, (value, make) in FLAG_TEMPLATES.items():
            question = make(said, words, entity.replace("_", " "), prefix, column)
            if question is None:
                continue
            want = Filter(dim, "=", ("true" if value else "false",))
            also = tuple(Filter(d, "=" if value else "!=", (v,)) for d, v in twins)
            out.append(Case(project, template, question, metric, want, said, also))
    return out


EXCLUSION_TEMPLATES: dict[str, str] = {
    "excluding": "{m} excluding {v}",
    "other-than": "{m} other than {v}",
    "except": "{m} except {v}",
    "leaving-out": "{m} leaving out {v}",
    "everyone-but": "{m} for everyone but {v}",
    "minus": "{m} minus {v}",
    "ex-": "{m} ex-{v}",
    "w/o": "{m} w/o {v}",
    "apart-from": "{m} apart from {v}",
    "bar": "{m}, bar {v}",
    "not-counting": "{m} not counting {v}",
    "sql-not-equal": "{m} where {c} != '{raw}'",
}
"""How people leave a categorical value out, as templates over the catalog's values."""
PER_DIMENSION = 2
"""Values tried per dimension (the first ones, sorted)."""


LOOSE_TEMPLATES: dict[str, tuple[str, str]] = {
    "for": ("=", "{m} for {v}"),
    "excluding": ("!=", "{m} excluding {v}"),
    "other-than": ("!=", "{m} other than {v}"),
    "ex-": ("!=", "{m} ex-{v}"),
}
"""A value named loosely, kept or left out."""


def loose_forms(raw: str, entity: str, column: str) -> dict[str, str]:
    """How people name a value other than as written: a country code by its name ("DE": "germany"), the
    value in the plural ("marketplace sellers"), hyphenated ("same-day"), in title case, and followed by its
    entity's noun ("enterprise accounts"); a code's country name only on a dimension named for countries.
    """
    words = raw.replace("_", " ").replace("-", " ").lower().split()
    out: dict[str, str] = {}
    if raw in COUNTRY_NAMES and "country" in column:
        out["country-name"] = COUNTRY_NAMES[raw][0]
        return out
    if not words or not all(w.isalpha() for w in words):
        return out
    if len(words[-1]) > 3 and not words[-1].endswith(("s", "ed")):
        out["plural"] = " ".join([*words[:-1], plural(words[-1])])
    if len(words) > 1:
        out["hyphenated"] = "-".join(words)
    out["title-case"] = " ".join(w.capitalize() for w in words)
    noun = entity.replace("_", " ")
    if noun not in words and plural(noun) not in words:
        out["with-noun"] = f"{' '.join(words)} {plural(noun)}"
    return out


def exclusion_cases(
    project: str, resolver: Resolver, values: dict[str, list[str]], *, loose: bool = True
) -> list[Case]:
    """Every exclusion template on up to ``PER_DIMENSION`` values of each categorical dimension a metric reaches
    whose value, said plainly ("<metric> for <value>"), resolves to that value alone; with ``loose``, also that
    value named loosely (``loose_forms``), kept and left out.
    """
    out: list[Case] = []
    flagged = {d for d, _, _ in flags(resolver.model, values)}
    for dim, listed in sorted(values.items()):
        if dim in flagged or len(listed) < 2 or "__" not in dim:
            continue
        column = dim.split("__", 1)[1]
        found = metric_for(resolver, dim, set())
        if found is None:
            continue
        metric, said = found
        tried = 0
        for raw in sorted(listed):
            if tried >= PER_DIMENSION:
                break
            v = raw.replace("_", " ").lower()
            plain = resolver.resolve(f"{said} for {v}", as_of=AS_OF)
            if plain.metrics != [metric] or plain.filters != [Filter(dim, "=", (raw,))] or plain.group_by:
                continue
            tried += 1
            for template, text in EXCLUSION_TEMPLATES.items():
                question = text.format(m=said, v=v, c=column, raw=raw)
                out.append(Case(project, template, question, metric, Filter(dim, "!=", (raw,)), said))
            if not loose:
                continue
            for form, loosely in loose_forms(raw, dim.split("__", 1)[0], column).items():
                for template, (op, text) in LOOSE_TEMPLATES.items():
                    question = text.format(m=said, v=loosely)
                    want = Filter(dim, op, (raw,))
                    out.append(Case(project, f"{form}/{template}", question, metric, want, said))
    return out


def passed(resolver: Resolver, case: Case) -> tuple[bool, str]:
    """Whether the case reads as its metric and its one filter, and what was read."""
    res = resolver.resolve(case.question, as_of=AS_OF)
    ok = (
        res.answerable
        and res.metrics == [case.metric]
        and len(res.filters) == 1
        and res.filters[0] in (case.want, *case.also)
        and not res.group_by
    )
    got = f"metrics={res.metrics} filters={[(f.field, f.op, f.values) for f in res.filters]}"
    if res.group_by:
        got += f" group_by={res.group_by}"
    if not res.answerable:
        got += f" refused: {res.reason}"
    return ok, got
