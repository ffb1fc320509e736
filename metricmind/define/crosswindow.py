"""A window across two tables ("% of sign-ups that used the product within 3 days", "Sign-ups with a
product event within 7 days of signing up"): the members of a population dated by their own date (a
customer's sign-up), and whether rows of another semantic model that carries them (their events) fall
within N days of that date, both ends included ("on the sign-up date or up to 3 days after it").

The population (the definition before its relative word, "sign-ups") is analyzed as a metric of its own,
with the rules that speak of neither the window, the other rows nor the percentage, and compiled by day
and by the entity it counts: each member's day is its own date. The other rows are named by their noun
("a product event") or by a value of their own dimension ("created something": ``action = 'create'``), in
the clause or in a rule that states the window. When the window names its anchor ("of signing up"), the
words must name the population's date. The value is the count of members with such rows, or their share
as a percentage when "%" or "percent" is said. Read as a fallback only, when the catalog's metrics leave a
rule unread or propose nothing. Pure and deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from metricmind.define.antijoin import (
    OPENER,
    date_of,
    valued_rows,
    values_of,
)
from metricmind.define.byentity import DAY_COLUMN, by_entity_sql, indented, refs_of
from metricmind.define.datasets import canonical_for
from metricmind.define.distinctper import COMPARED_WORDS
from metricmind.define.extend import compile_on_model, proposal_model, redrafted
from metricmind.define.newmodel import MONTH, monthly_model, per_entity
from metricmind.define.proposal import Definition, NewModel, Proposal, RuleReading
from metricmind.define.termcolumns import entities_named, term_words
from metricmind.define.words import lexicon
from metricmind.errors import MetricmindError
from metricmind.spec.model import Dimension, Model, SemanticModel

_N = r"\d{1,3}|" + "|".join(COMPARED_WORDS)
#: "within 3 days", "within seven days of signing up", "within 14 days after the first subscription".
WINDOW = re.compile(
    rf"\bwithin\s+(?:the\s+first\s+)?(?P<n>{_N})\s+days?\b(?:\s+(?:of|after|from)\s+(?P<anchor>[a-z -]+?))?"
    r"(?=$|[,.;:)=]|\s+(?:on|in|and|or|by|as|means?|is|are|counts?|=))",
    re.IGNORECASE,
)
#: A share said as a percentage.
PERCENT = re.compile(r"%|\bper\s?cent(?:age)?\b", re.IGNORECASE)
#: Words a rule of the window may say besides the rows, their values and the window.
RESTATE = frozenset(
    """
    within day days of after from on the a an or up to it its their they them anyone anybody someone any
    account had has have having did do does used use using means mean is are was were be that who which
    with date dates both ends end included inclusive first same actually activated activation active
    percentage percent as expressed rate share
    """.split()
)
WINDOW_CONFIDENCE = 0.7
WITHIN_COLUMN = "within_window"


def read_window(
    definition: Definition,
    model: Model,
    analyze_part: Callable[[Definition], Proposal],
    dialect: str,
    max_hops: int,
) -> Proposal | None:
    """The proposal of ``definition`` read as members with other rows within N days of their own date, or
    None when it is not one or cannot be built surely.
    """
    texts = [definition.text, *definition.rules]
    said = next((m for t in texts for m in WINDOW.finditer(t)), None)
    if said is None:
        return None
    raw = said.group("n").lower()
    days = COMPARED_WORDS[raw] if raw in COMPARED_WORDS else int(raw)
    text = re.sub(r"^[^:]*:\s*", "", definition.text)  # "Activation rate: % of sign-ups …"
    opener = OPENER.search(text)
    if opener is None:
        return None
    population = re.sub(
        r"^(?:%|percent(?:age)?|share|proportion|number|count)\s+of\s+",
        "",
        text[: opener.start()].strip(),
        flags=re.IGNORECASE,
    )
    clause = text[opener.start() :]
    if not population:
        return None
    window_rules = [i for i, r in enumerate(definition.rules) if WINDOW.search(r)]
    percent = bool(PERCENT.search(definition.text)) or any(PERCENT.search(r) for r in definition.rules)
    format_rules = [i for i, r in enumerate(definition.rules) if PERCENT.search(r) and _only_format(r)]
    rest = tuple(r for i, r in enumerate(definition.rules) if i not in window_rules and i not in format_rules)
    pop = analyze_part(Definition(definition.name, population, rest))
    if pop.refused or pop.metric is None or pop.metric.get("type") != "simple":
        return None
    entity = _entity_counted(model, pop)
    if entity is None:
        return None
    rows = _rows(model, " ".join([clause, *(definition.rules[i] for i in window_rules)]), entity)
    if rows is None:
        return None
    own = [*window_rules, *format_rules]
    windows = [m for t in texts for m in WINDOW.finditer(t)]
    anchors = [m.group("anchor") for m in windows if m.group("anchor")]
    if any(m.group("n").lower() != raw for m in windows) or not all(_anchors(model, pop, a) for a in anchors):
        return None  # two windows, or one of another date ("of their first subscription")
    key = next((e.expr or e.name for e in rows.entities if e.name == entity), "")
    said_words = " ".join([clause, *(definition.rules[i] for i in own)])
    date, kept = date_of(rows, said_words), values_of(model, rows, said_words)
    if not date or kept is None or not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
        return None
    body = by_entity_sql(model, pop, entity, dialect, max_hops, daily=True)
    if body is None:
        return None
    built = _model(model, definition.name, entity, body, rows, (key, date, days, kept))
    if isinstance(built, str):
        return None
    explained = " ".join([*anchors, rows.description, *_date_names(model, pop)])
    return _proposal(
        definition, model, pop, built, (entity, rows, days, percent, own), explained, dialect, max_hops
    )


def _only_format(rule: str) -> bool:
    """The rule only says the value is a percentage ("As a percentage 0-100")."""
    return all(w in RESTATE or w.isdigit() for w in re.findall(r"[a-z0-9]+", rule.lower()))


def _rows(model: Model, text: str, entity: str) -> SemanticModel | None:
    """The other rows the window is of: named by their noun, else by a value of their own dimension."""
    named = [e for _, e in entities_named(model, term_words(text), lexicon(model)) if e != entity]
    found = list(dict.fromkeys(named)) or valued_rows(model, f"no {text}", entity)
    homes = [
        sm
        for sm in model.semantic_models.values()
        if sm.primary in found and any(e.name == entity for e in sm.entities)
    ]
    return homes[0] if len(homes) == 1 else None


def _entity_counted(model: Model, pop: Proposal) -> str | None:
    """The entity the population counts: its measure counts (or counts distinct) one entity's key."""
    name = ((pop.metric or {}).get("type_params") or {}).get("measure")
    extended = proposal_model(model, pop)
    ms = extended.measures.get(str(name.get("name") if isinstance(name, dict) else name))
    sm = extended.semantic_models.get(ms.semantic_model) if ms else None
    if ms is None or sm is None or ms.agg.value not in ("count", "count_distinct"):
        return None
    found = [e.name for e in sm.entities if (e.expr or e.name) == ms.expr]
    return found[0] if len(found) == 1 else None


def _population_date(model: Model, pop: Proposal) -> Dimension | None:
    """The time dimension the population's measure is dated by."""
    name = ((pop.metric or {}).get("type_params") or {}).get("measure")
    extended = proposal_model(model, pop)
    ms = extended.measures.get(str(name.get("name") if isinstance(name, dict) else name))
    sm = extended.semantic_models.get(ms.semantic_model) if ms else None
    return next((d for d in sm.dimensions if d.name == ms.agg_time_dimension), None) if sm and ms else None


def _date_names(model: Model, pop: Proposal) -> list[str]:
    """The population's date by its name, label and synonyms."""
    dim = _population_date(model, pop)
    return [dim.name, dim.label, *(str(s) for s in dim.meta.get("synonyms") or ())] if dim else []


def _anchors(model: Model, pop: Proposal, anchor: str) -> bool:
    """``anchor`` ("signing up") names the date the population is counted by (``signup_date``)."""
    said = "".join(w for w in re.findall(r"[a-z]+", anchor.lower()) if w not in ("the", "their", "its", "a"))
    for n in _date_names(model, pop):
        core = "".join(w for w in re.findall(r"[a-z]+", n.lower()) if w not in ("date", "at", "on", "day"))
        if core and said.startswith(core[:4]) and core.startswith(said[:4]):
            return True
    return False


def _model(
    model: Model,
    name: str,
    entity: str,
    population: tuple[str, str],
    rows: SemanticModel,
    spec: tuple[str, str, int, list[tuple[str, str]]],
) -> NewModel | str:
    """The model ``name``_window: one row per member and its own day, with whether rows fall in the window."""
    body, value = population
    key, date, days, kept = spec
    dataset = canonical_for(model, rows.relation)
    if dataset is None:
        return f"{rows.relation} is not a canonical dataset"
    own = f"{name}_window"
    grain = f"{entity}_day_id"
    kept_sql = "".join(f"\n              and other.{c} = '{v}'" for c, v in kept)
    sql = f"""-- {own}: one row per {entity} of the population and its own day, with {WITHIN_COLUMN} = 1 when
-- it has {rows.name} rows dated by {date} from that day to {days} days after it (both days included).
-- Materialized as a table: read by every query of the metric.

with population as (
    -- the population metric by day and {entity}: a member on its own date
    {indented(body)}
)

select
    cast(population.{entity} as varchar) || '-' || strftime(population.{DAY_COLUMN}, '%Y-%m-%d') as {grain},
    cast(date_trunc('month', population.{DAY_COLUMN}) as date) as {MONTH},
    population.{entity} as {key},
    case
        when exists (
            select 1
            from {{{{ ref('{dataset.name}') }}}} as other
            where other.{key} = population.{entity}
              and cast(other.{date} as date) between cast(population.{DAY_COLUMN} as date)
                  and cast(population.{DAY_COLUMN} as date) + {days}{kept_sql}
        ) then 1
        else 0
    end as {WITHIN_COLUMN}
from population
where population.{value} > 0
"""
    try:
        return monthly_model(
            model,
            own,
            sql,
            description=f"Each {entity} of the population on its own day, with whether it has {rows.name} "
            f"rows within {days} days.",
            entities=per_entity(f"{own}_row", grain, entity, key),
            reason=f"no semantic model holds which {entity}s have {rows.name} rows within {days} days of their "
            f"own date; built from the population and {dataset.name} (a table: read by every query)",
            refs=tuple(dict.fromkeys([*refs_of(body), dataset.name])),
        )
    except MetricmindError as exc:
        return exc.message


def _proposal(
    definition: Definition,
    model: Model,
    pop: Proposal,
    built: NewModel,
    said: tuple[str, SemanticModel, int, bool, list[int]],
    explained: str,
    dialect: str,
    max_hops: int,
) -> Proposal | None:
    entity, rows, days, percent, own = said
    measure = f"{definition.name}_{'share' if percent else 'count'}"
    built.semantic_model["measures"] = [
        {
            "name": measure,
            "description": f"{entity}s with {rows.name} rows within {days} days of their own date"
            + (" (percent of the population)" if percent else ""),
            "agg": "average" if percent else "sum",
            "expr": f"100.0 * {WITHIN_COLUMN}" if percent else WITHIN_COLUMN,
            "agg_time_dimension": MONTH,
        }
    ]
    metric = redrafted(pop.metric or {}, definition, measure, drop=("based_on", "unit", "category", "owner"))
    if percent:
        metric["config"]["meta"]["unit"] = "percent"
    try:
        sql = compile_on_model(model, metric, built, dialect=dialect, max_hops=max_hops)
    except MetricmindError:
        return None
    names = {*term_words(rows.name.replace("_", " ")), *term_words(rows.primary or ""), entity}
    names |= {e.name for e in rows.entities} | set(term_words(explained))
    lx = lexicon(model)
    readings = []
    for i in own:
        text = definition.rules[i]
        left = [
            w
            for w in re.findall(r"[a-z0-9]+", text.lower())
            if w not in RESTATE
            and not w.isdigit()
            and w not in COMPARED_WORDS
            and not set(term_words(w)) <= names
            and not any(
                e.target.startswith(f"{rows.primary}__") or e.kind == "entity"
                for e in lx.lookup(term_words(w))
            )
        ]
        if left:
            readings.append(
                RuleReading(text, "unread", 0.0, f"the window's rule says {', '.join(left)}, read by nothing")
            )
        else:
            readings.append(
                RuleReading(text, "covered", 0.7, f"says the window of {rows.name} rows or the percentage")
            )
    out = replace(pop, definition=definition)
    out.metric, out.new_model, out.preview_sql = metric, built, sql
    out.new_measures, out.new_metrics, out.new_dimensions = [], [], []
    out.rules = [*pop.rules, *readings]
    out.confidence = min(pop.confidence, WINDOW_CONFIDENCE)
    out.doubts = [
        *pop.doubts,
        f"{'the percentage of' if percent else 'counts'} {entity}s of the population with {rows.name} rows from "
        f"their own date to {days} days after it (both days included), from the new model `{built.name}`: "
        "check the window's ends",
    ]
    return out
