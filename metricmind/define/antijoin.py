"""Entities of a population that have no rows of another entity ("Paying customers who were not invoiced
during the month", "Paying accounts that have never touched integrations"): an anti-join, built as a new
model of one row per entity and month of the population, with whether the other rows are absent.

The definition splits at the clause that says the absence (a relative word before "no", "not", "never",
"without" …): what comes before it is the population, analyzed as a metric of its own (its rules with it),
and it must count one entity (a count, a distinct count or a count of true flags). The absent rows are the
rows of another semantic model that carries that entity, named by the clause or by a rule that says the
absence ("Never means no integrations event …"), or by a verb made of their noun ("invoiced"). Read only
when everything is sure (else nothing is built and the proposal is left to the rest of the agent):

- the period is said: "in/during the month" (rows dated in the same month), or "never", "ever", "at any
  time" (rows dated up to the month's last day), never both ("never … each month" is not read);
- the absent rows' date is said by its own words ("by its issue date": ``issued_at``), or is the only date
  of their semantic model, or its default date;
- values the clause or the absence's rules name ("integrations") are values of the absent rows' own
  dimensions: they filter the rows that must be absent;
- every word of the absence's rules names the rows, the entity, their date, a dimension, the period or is
  a word that only restates the absence; a rule with another word stays unread.

The population's rows are the population metric compiled by month and by the entity (its filters and its
own new model inlined), over canonical datasets only. Pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from metricmind.define.byentity import by_entity_sql, indented, refs_of
from metricmind.define.datasets import canonical_for
from metricmind.define.entitydays import IN_MONTH
from metricmind.define.extend import compile_on_model, proposal_model, redrafted
from metricmind.define.newmodel import MONTH, monthly_model, per_entity
from metricmind.define.proposal import Definition, NewModel, Proposal, RuleReading
from metricmind.define.reach import rows_named
from metricmind.define.termcolumns import entities_named, term_words
from metricmind.define.words import lexicon
from metricmind.errors import MetricmindError
from metricmind.spec.model import Agg, EntityType, Model, SemanticModel

#: The words that deny the rows exist; "not" only before a verb or a noun of the rows (read below).
CUE = re.compile(
    r"\b(?:no|zero|without|never|none of|not a single|not any|not|did not|has not|have not|had not)\b(?!-)",
    re.IGNORECASE,
)
#: The relative word that opens the clause of the absence ("who were not invoiced", "that have never").
OPENER = re.compile(r"\b(?:who|that|which|whose|with|without|where)\b", re.IGNORECASE)
#: The period "since ever": rows dated up to the month's last day.
EVER = re.compile(r"\b(?:never|ever|at any time|any time|all time|to date|up to)\b", re.IGNORECASE)
#: How many words after the cue may still name the absent rows ("no integrations event").
WITHIN = 3
#: Words that only restate an absence, its period or who it is of.
RESTATE = frozenset(
    """
    never ever no not none zero without any anyone anybody someone all time times up to until through mean
    means meaning belong belongs belonged count counts counted excluded exclude excludes included include
    whatever regardless status kind type month months last day days first end date dates calendar same
    single one is are was were be been has have had do does did from on of in at by the a an its their
    his her it they them this that who which whose with for as during within before after and or
    """.split()
)
#: Words that only link others: never read as a value ("up to": no `update`).
LINKING = frozenset("up to on in at of by for from the a an and or any all it its their".split())
#: Words that only say a count ("number of customers").
COUNTING = frozenset("number numbers count counts total how many amount of".split())
#: The confidence of a count read so: a new model a person checks.
ANTI_CONFIDENCE = 0.7
ABSENT_COLUMN = "has_none"


@dataclass(frozen=True)
class Absence:
    """What the definition says is absent: the population's text, the absent rows' semantic model, the
    rules about the absence (by index) and the words that say it.
    """

    population: str
    entity: str  # the entity the population counts, named first ("paying customers")
    rows: SemanticModel
    rules: tuple[int, ...]
    said: str  # the clause and the absence's rules, joined


def absence(model: Model, definition: Definition) -> Absence | None:
    """The absence ``definition`` says, or None (no cue, no clause, no semantic model of the rows)."""
    text = definition.text
    cue = next((m for m in CUE.finditer(text) if _opened(text, m.start())), None)
    if cue is None:
        return None
    opener = [m for m in OPENER.finditer(text[: cue.end()])][-1]  # "without" opens its own clause
    population = text[: opener.start()].strip(" ,;:")
    if not population or not term_words(population):
        return None
    clause = text[opener.start() :]
    lx = lexicon(model)
    named = rows_named(model, term_words(population), lx)
    if not named:
        return None
    entity = named[0][1]
    if not _qualified(model, population, entity):
        return None
    absent = (
        _absent_entities(model, clause, entity)
        or [e for r in definition.rules if CUE.search(r) for e in _absent_entities(model, r, entity)]
        or valued_rows(model, clause, entity)
    )
    absent = list(dict.fromkeys(absent))
    if len(absent) != 1:
        return None
    rows = next((sm for sm in model.semantic_models.values() if sm.primary == absent[0]), None)
    if rows is None or not any(e.name == entity for e in rows.entities):
        return None
    words = set(_roots(rows.primary or "")) | set(_roots(rows.name))
    rules = tuple(
        i
        for i, r in enumerate(definition.rules)
        if CUE.search(r) or words & set(_roots(r)) or _participle(model, r) == rows.primary
    )
    said = " ".join([clause, *(definition.rules[i] for i in rules)])
    return Absence(population, entity, rows, rules, said)


def read_absence(
    definition: Definition,
    model: Model,
    population: Callable[[Definition], Proposal],
    dialect: str,
    max_hops: int,
) -> Proposal | None:
    """The proposal of ``definition`` read as an anti-join (``population`` analyzes the population's
    definition), or None when it is not one or cannot be built surely.
    """
    said = absence(model, definition)
    if said is None:
        return None
    key = next((e.expr or e.name for e in said.rows.entities if e.name == said.entity), "")
    date = date_of(said.rows, said.said)
    month, ever = IN_MONTH.search(said.said), EVER.search(said.said)
    period = None if month and ever else "month" if month else "ever" if ever else None  # both: unsure
    kept = values_of(model, said.rows, said.said)
    if not date or period is None or kept is None or not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
        return None  # read before the population is analyzed: the cheap checks first
    rest = tuple(r for i, r in enumerate(definition.rules) if i not in said.rules)
    pop = population(Definition(definition.name, said.population, rest))
    metric = pop.metric
    if pop.refused or metric is None or metric.get("type") != "simple":  # its unread rules stay unread
        return None
    entity = counted_entity(model, pop, said.entity)
    if entity is None:
        return None
    readings = _rule_readings(model, definition, said, entity, date)
    body = by_entity_sql(model, pop, entity, dialect, max_hops)
    if body is None:
        return None
    built = _model(model, definition.name, entity, body, said.rows, (key, date, period, kept))
    if isinstance(built, str):
        return None
    measure = f"{definition.name}_count"
    built.semantic_model["measures"] = [
        {
            "name": measure,
            "description": f"{entity}s of the population with no {said.rows.name} rows",
            "agg": "sum",
            "expr": ABSENT_COLUMN,
            "agg_time_dimension": MONTH,
        }
    ]
    new = redrafted(metric, definition, measure)
    try:
        sql = compile_on_model(model, new, built, dialect=dialect, max_hops=max_hops)
    except MetricmindError:
        return None
    out = replace(pop, definition=definition)
    out.metric, out.new_model, out.preview_sql = new, built, sql
    out.new_measures, out.new_metrics, out.new_dimensions = [], [], []
    out.rules = [*pop.rules, *readings]
    when = "in the same month" if period == "month" else "up to the month's last day"
    filt = " and ".join(f"{c} = '{v}'" for c, v in kept)
    why = (
        f"counts each {entity} of the population ({said.population!r}) with no {said.rows.name} row"
        f"{' where ' + filt if filt else ''} dated by {date} {when}, from the new model `{built.name}` "
        "(an anti-join): check the population and the period"
    )
    out.confidence = min(pop.confidence, ANTI_CONFIDENCE)
    out.doubts = [*pop.doubts, why]
    return out


def _qualified(model: Model, population: str, entity: str) -> bool:
    """The population is said beyond its entity's noun ("paying customers", not "customers"): which of
    the entity's rows an absence is of is for a person to say (every customer? the active ones?).
    """
    words = term_words(population)
    named = {i for i, e in entities_named(model, words, lexicon(model)) if e == entity}
    return any(
        i not in named and w not in COUNTING and w not in RESTATE and not w.isdigit()
        for i, w in enumerate(words)
    )


def _opened(text: str, at: int) -> bool:
    """A relative word opens a clause before the cue at ``at``, and the population before it is said."""
    return any(m.start() > 0 for m in OPENER.finditer(text[: at + len("without")]) if m.start() <= at)


def _absent_entities(model: Model, text: str, head: str) -> list[str]:
    """The entities ``text`` names within ``WITHIN`` words after a cue ("no integrations event": event),
    or by a verb of their noun right after it ("not invoiced": invoice); never ``head``.
    """
    words = term_words(text)
    named = entities_named(model, words, lexicon(model))
    cues = {len(term_words(text[: m.end()])) - 1 for m in CUE.finditer(text)}
    out = [e for i, e in named if e != head and any(0 < i - c <= WITHIN for c in cues)]
    for c in cues:
        for w in words[c + 1 : c + 1 + WITHIN]:
            verb = _participle(model, w)
            if verb and verb != head:
                out.append(verb)
    return out


def valued_rows(model: Model, text: str, head: str) -> list[str]:
    """The entities whose own dimensions hold a value ``text`` names after its cue ("never used alerts":
    the events' feature), when the value names one only and its rows carry ``head``.
    """
    cue = CUE.search(text)
    if cue is None:
        return []
    words = term_words(text[cue.end() :])
    lx = lexicon(model)
    homes = {sm.primary: {e.name for e in sm.entities} for sm in model.semantic_models.values() if sm.primary}
    found = {
        e.target.split("__", 1)[0]
        for size in (2, 1)
        for i in range(len(words) - size + 1)
        for e in lx.lookup(words[i : i + size])
        if e.kind == "value"
    }
    found = {f for f in found if head in homes.get(f, set()) and f != head}
    return sorted(found) if len(found) == 1 else []


def _participle(model: Model, text: str) -> str | None:
    """The entity whose noun a word of ``text`` is made into a verb of ("invoiced": invoice), or None."""
    names = {sm.primary for sm in model.semantic_models.values() if sm.primary}
    for w in term_words(text):
        for suffix in ("d", "ed"):
            if w.endswith(suffix) and w[: -len(suffix)] in names:
                return w[: -len(suffix)]
    return None


def _roots(text: str) -> list[str]:
    """The words of ``text`` without an inflection ("issued", "issue": issu)."""
    out = []
    for w in term_words(text):
        for suffix in ("ing", "ed", "es", "s", "e", "d"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 3:
                w = w[: -len(suffix)]
                break
        out.append(w)
    return out


def date_of(sm: SemanticModel, said: str) -> str:
    """The absent rows' date column: the one whose own words ``said`` says, else the only one, else the
    default date; "" when none (or an expression).
    """
    times = [d for d in sm.dimensions if d.type == "time"]
    words = set(_roots(said))
    hits = [
        d for d in times if {r for r in _roots(d.name) if r not in ("at", "date", "on", "time", "ts")} & words
    ]
    found = hits[0] if len(hits) == 1 else times[0] if len(times) == 1 else None
    if found is None and not hits:
        found = next((d for d in times if d.name == sm.default_agg_time_dimension), None)
    column = (found.expr or found.name) if found else ""
    return column if re.fullmatch(r"[a-z_][a-z0-9_]*", column) else ""


def values_of(model: Model, sm: SemanticModel, said: str) -> list[tuple[str, str]] | None:
    """(column, value) pairs of ``sm``'s own dimensions that ``said`` names; None when a word names two.
    Words that only link others ("up to 3 days") name no value.
    """
    lx = lexicon(model)
    words = term_words(" ".join(w for w in re.findall(r"[a-z0-9_]+", said.lower()) if w not in LINKING))
    own = {d.name: d.expr or d.name for d in sm.dimensions if d.type == "categorical"}
    out: dict[str, str] = {}
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            hits = {
                e.target
                for e in lx.lookup(words[i : i + size])
                if e.kind == "value" and e.target.startswith(f"{sm.primary}__")
            }
            if len(hits) > 1:
                return None
            for target in hits:
                name, _, value = target.removeprefix(f"{sm.primary}__").partition("=")
                column = own.get(name, "")
                if not re.fullmatch(r"[a-z_][a-z0-9_]*", column) or "'" in value:
                    return None
                if out.get(column, value) != value:
                    return None
                out[column] = value
    return sorted(out.items())


def counted_entity(model: Model, pop: Proposal, entity: str) -> str | None:
    """``entity`` when the population metric counts it, or None: its measure counts distinct keys of
    that entity, or counts the rows (or true flags) of a model of one row per month and a non-primary
    entity of which ``entity`` is one.
    """
    metric = pop.metric or {}
    name = (metric.get("type_params") or {}).get("measure")
    name = name.get("name") if isinstance(name, dict) else name
    if not isinstance(name, str):
        return None
    extended = proposal_model(model, pop)
    ms = extended.measures.get(name)
    sm = extended.semantic_models.get(ms.semantic_model) if ms else None
    if ms is None or sm is None:
        return None
    carried = {entity}
    if ms.agg is Agg.COUNT_DISTINCT:
        found = [e.name for e in sm.entities if (e.expr or e.name) == ms.expr and e.name in carried]
        return found[0] if len(found) == 1 else None
    if ms.agg in (Agg.SUM_BOOLEAN, Agg.COUNT):
        found = [e.name for e in sm.entities if e.type is not EntityType.PRIMARY and e.name in carried]
        time = next((d for d in sm.dimensions if d.name == ms.agg_time_dimension), None)
        month = time is not None and time.grain is not None and time.grain.value == "month"
        return found[0] if len(found) == 1 and month else None
    return None


def _model(
    model: Model,
    name: str,
    entity: str,
    population: tuple[str, str],
    rows: SemanticModel,
    spec: tuple[str, str, str, list[tuple[str, str]]],
) -> NewModel | str:
    """The model ``name``_absence: one row per ``entity`` and month of the population, with ``has_none``
    (1 when it has no ``rows`` of the period, else 0).
    """
    body, value = population
    key, date, period, kept = spec
    dataset = canonical_for(model, rows.relation)
    if dataset is None:
        return f"{rows.relation} is not a canonical dataset"
    own = f"{name}_absence"
    grain = f"{entity}_month_id"
    since = f"absent.{date} >= population.metric_time__month" if period == "month" else ""
    kept_sql = "".join(f"\n              and absent.{c} = '{v}'" for c, v in kept)
    when = "in the month" if period == "month" else "up to the month's last day"
    first = f"\n              and {since}" if since else ""
    sql = f"""-- {own}: one row per {entity} and month of the population, with {ABSENT_COLUMN} = 1 when the
-- {entity} has no {rows.name} rows dated by {date} {when} (an anti-join: not exists).
-- Materialized as a table: read by every query of the metric.

with population as (
    -- the population metric by month and {entity}; a member has a count above 0
    {indented(body)}
)

select
    cast(population.{entity} as varchar) || '-' || strftime(population.metric_time__month, '%Y-%m') as {grain},
    cast(population.metric_time__month as date) as {MONTH},
    population.{entity} as {key},
    case
        when exists (
            select 1
            from {{{{ ref('{dataset.name}') }}}} as absent
            where absent.{key} = population.{entity}{first}
              and absent.{date} < population.metric_time__month + interval 1 month{kept_sql}
        ) then 0
        else 1
    end as {ABSENT_COLUMN}
from population
where population.{value} > 0
"""
    try:
        return monthly_model(
            model,
            own,
            sql,
            description=f"Each {entity} of the population by month, with whether it has no {rows.name} rows.",
            entities=per_entity(f"{own}_row", grain, entity, key),
            reason=f"no semantic model holds which {entity}s have no {rows.name} rows {when}; built from the "
            f"population and {dataset.name} (a table: read by every query)",
            refs=tuple(dict.fromkeys([*refs_of(body), dataset.name])),
        )
    except MetricmindError as exc:
        return exc.message


def _rule_readings(
    model: Model, definition: Definition, said: Absence, entity: str, date: str
) -> list[RuleReading]:
    """The absence's rules: covered when every word names the rows, the entity, a dimension or value of
    theirs, their date, or only restates the absence; else unread.
    """
    lx = lexicon(model)
    own = {said.rows.primary or "", entity, said.rows.name, *(e.name for e in said.rows.entities)}
    explained = {w for x in [*own, date] for w in _roots(x)} | {w for w in _roots(" ".join(RESTATE))}
    out = []
    for i in said.rules:
        text = definition.rules[i]
        left = []
        for w, r in zip(term_words(text), _roots(text), strict=True):
            if r in explained or w in RESTATE:
                continue
            hits = lx.lookup((w,))
            if any(
                e.target.split("__", 1)[0] in own or e.target.startswith(f"{said.rows.primary}__")
                for e in hits
            ):
                continue
            left.append(w)
        if left:
            out.append(
                RuleReading(
                    text, "unread", 0.0, f"the absence's rule says {', '.join(left)}, read by nothing"
                )
            )
        else:
            out.append(RuleReading(text, "covered", 0.7, f"says which {said.rows.name} rows must be absent"))
    return out
