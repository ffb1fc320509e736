"""A word the rules define by thresholds per entity and month, then used as the definition ("Power users"
with "A power user means someone with 10+ events in the month who used at least two platforms (web, iOS,
Android) that month"): each entity's rows of the month are counted and the entities passing every
threshold are counted.

The defining rule is "<word> means|is|are <meaning>", its word ending in an entity's noun ("power *user*")
and said by the definition (which says nothing else but counting words). The meaning is a list of
thresholds, each a comparison that keeps entities with rows (at least, more than, N or more, N+) and a noun:

- the rows of a semantic model that carries the entity ("10+ events"): ``count(*)``;
- days ("on at least 5 days"): the distinct days with rows;
- a categorical dimension of those rows ("at least two platforms"): its distinct values, restricted to the
  values listed in parentheses after it ("(web, iOS, Android)") when there are any.

All thresholds count rows of one semantic model, dated by its one day-grain date, in the month (the
meaning or the definition says the month). Any other word in the meaning leaves the rule to the rest of the
agent (where it stays unread). The other rules are covered when they only restate what is counted ("Count
people, not events"), else unread. Pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.define.datasets import canonical_for
from metricmind.define.distinctper import COMPARED_WORDS, PEOPLE
from metricmind.define.entitydays import IN_MONTH
from metricmind.define.extend import compile_on_model
from metricmind.define.newmodel import MONTH, monthly_model, per_entity
from metricmind.define.proposal import Definition, NewModel, Proposal, RuleReading
from metricmind.define.termcolumns import entities_named, term_words
from metricmind.define.words import lexicon
from metricmind.errors import MetricmindError
from metricmind.spec.model import EntityType, Grain, Model, SemanticModel

#: "A power user means someone with …", "Power users are those who …".
MEANS = re.compile(
    r"^\s*(?:an?\s+|the\s+)?(?P<word>[a-z][a-z -]{0,40}?)\s+(?:means|is defined as|are defined as|refers to|"
    r"is|are|=)\s+(?P<meaning>.+?)\s*\.?\s*$",
    re.IGNORECASE,
)
_N = r"\d{1,4}|" + "|".join(COMPARED_WORDS)
#: "at least two platforms", "10+ events", "more than 3 different features", "5 or more days".
THRESHOLD = re.compile(
    rf"\b(?:(?P<op>at least|no fewer than|more than|greater than|over)\s+(?P<n>{_N})|"
    rf"(?P<m>{_N})\s*(?:\+|or more\b))\s+(?:(?:different|distinct|unique|separate|calendar)\s+)?"
    r"(?P<noun>[a-z]+)(?:\s*\((?P<values>[^)]*)\))?",
    re.IGNORECASE,
)
_OPS = {"at least": ">=", "no fewer than": ">=", "more than": ">", "greater than": ">", "over": ">"}
#: Words a meaning may hold besides its thresholds (who, what they did, when).
GLUE = frozenset(
    """
    someone anyone somebody anybody one ones those people person persons user users who that which with
    has have had having used use uses using made make logged log did do and also both in on the a an of
    during that this same month months calendar each every per across over
    """.split()
)
#: Words that only restate what is counted, in the definition or another rule.
COUNTING = frozenset(
    """
    number count counts counted counting of total how many the a an each per month monthly in every
    people person persons not only once distinct unique individual individuals
    """.split()
)
WORD_CONFIDENCE = 0.7
PASSES = "passes"


@dataclass(frozen=True)
class Condition:
    """One threshold: ``count(*)``, distinct days, or distinct values of ``column`` (of ``values``)."""

    kind: str  # rows | days | values
    op: str
    n: int
    column: str = ""
    values: tuple[str, ...] = ()


def read_word_rule(definition: Definition, model: Model, dialect: str, max_hops: int) -> Proposal | None:
    """The proposal of ``definition`` whose word a rule defines by thresholds, or None."""
    for i, rule in enumerate(definition.rules):
        m = MEANS.match(rule)
        if m is None:
            continue
        word = term_words(m.group("word"))
        named = entities_named(model, word, lexicon(model))
        if not word or not named or named[-1][0] != len(word) - 1 or not _says(definition.text, word):
            continue
        entity = named[-1][1]
        meaning = m.group("meaning")
        if not IN_MONTH.search(meaning) and not IN_MONTH.search(definition.text):
            return None
        read = _conditions(model, meaning, entity)
        if read is None:
            return None
        sm, conditions = read
        return _proposal(definition, model, i, (entity, sm, conditions), dialect, max_hops)
    return None


def _says(text: str, word: tuple[str, ...]) -> bool:
    """``text`` says ``word`` and otherwise only counting words ("Number of power users per month")."""
    words = term_words(text)
    at = next((i for i in range(len(words)) if words[i : i + len(word)] == word), None)
    if at is None:
        return False
    rest = [*words[:at], *words[at + len(word) :]]
    return all(w in COUNTING or w.isdigit() for w in rest)


def _conditions(model: Model, meaning: str, entity: str) -> tuple[SemanticModel, list[Condition]] | None:
    """The semantic model the meaning's thresholds count rows of and the thresholds, or None when a word
    is left over or the thresholds name no one model's rows.
    """
    said = list(THRESHOLD.finditer(meaning))
    if not said:
        return None
    left = THRESHOLD.sub(" ", IN_MONTH.sub(" ", meaning))
    if any(w not in GLUE and w not in PEOPLE for w in re.findall(r"[a-z0-9]+", left.lower())):
        return None
    homes = [
        sm
        for sm in model.semantic_models.values()
        if any(e.name == entity and e.type is not EntityType.PRIMARY for e in sm.entities)
    ]
    for sm in homes:
        conditions = [_condition(model, sm, m) for m in said]
        if all(c is not None for c in conditions) and any(c.kind == "rows" for c in conditions if c):
            return sm, [c for c in conditions if c is not None]
    return None


def _condition(model: Model, sm: SemanticModel, m: re.Match[str]) -> Condition | None:
    """One threshold of ``sm``'s rows, or None when its noun names none of them."""
    raw = (m.group("n") or m.group("m")).lower()
    n = COMPARED_WORDS[raw] if raw in COMPARED_WORDS else int(raw)
    op = _OPS[" ".join(m.group("op").lower().split())] if m.group("op") else ">="
    noun = term_words(m.group("noun"))
    if len(noun) != 1 or n < 1:
        return None
    rows = {*term_words(sm.name.replace("_", " "))[-1:], *term_words((sm.primary or "").replace("_", " "))}
    if noun[0] in rows:
        return None if m.group("values") else Condition("rows", op, n)
    if noun[0] in ("day", "days"):
        return None if m.group("values") else Condition("days", op, n)
    dims = [
        d
        for d in sm.dimensions
        if d.type == "categorical"
        and any(term_words(x) == noun for x in [d.name.replace("_", " "), *(d.meta.get("synonyms") or ())])
    ]
    if len(dims) != 1 or not re.fullmatch(r"[a-z_][a-z0-9_]*", dims[0].expr or dims[0].name):
        return None
    dim = dims[0]
    values: list[str] = []
    for said in (m.group("values") or "").split(","):
        if not said.strip():
            continue
        hits = [
            e.target.partition("=")[2]
            for e in lexicon(model).lookup(term_words(said))
            if e.kind == "value" and e.target.startswith(f"{sm.primary}__{dim.name}=")
        ]
        if len(set(hits)) != 1 or "'" in hits[0]:
            return None  # a listed value the dimension does not hold
        values.append(hits[0])
    return Condition("values", op, n, dim.expr or dim.name, tuple(values))


def _proposal(
    definition: Definition,
    model: Model,
    index: int,
    read: tuple[str, SemanticModel, list[Condition]],
    dialect: str,
    max_hops: int,
) -> Proposal | None:
    entity, sm, conditions = read
    built = _model(model, definition.name, entity, sm, conditions)
    if isinstance(built, str):
        return None
    measure = f"{definition.name}_count"
    built.semantic_model["measures"] = [
        {
            "name": measure,
            "description": f"{entity}s passing every threshold of the rule in the month",
            "agg": "sum",
            "expr": PASSES,
            "agg_time_dimension": MONTH,
        }
    ]
    metric = {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "simple",
        "type_params": {"measure": measure},
        "config": {
            "meta": {
                "status": "draft",
                "certification": "draft",
                "definition": definition.text,
                "business_rules": list(definition.rules),
            }
        },
    }
    try:
        sql = compile_on_model(model, metric, built, dialect=dialect, max_hops=max_hops)
    except MetricmindError:
        return None
    rows = {*term_words(sm.name.replace("_", " ")), *term_words((sm.primary or "").replace("_", " ")), entity}
    readings = []
    for i, rule in enumerate(definition.rules):
        if i == index:
            readings.append(
                RuleReading(rule, "covered", 0.7, f"defines the word as thresholds on {sm.name} rows")
            )
            continue
        words = re.findall(r"[a-z0-9]+", rule.lower())
        if all(w in COUNTING or set(term_words(w)) <= rows for w in words):
            readings.append(RuleReading(rule, "covered", 0.7, f"restates that {entity}s are counted"))
        else:
            readings.append(RuleReading(rule, "unread", 0.0, "no threshold or restatement read in this rule"))
    said = ", ".join(_said(c, sm) for c in conditions)
    why = (
        f"counts each {entity} with {said} in the month (by its {sm.name} rows), from the new model "
        f"`{built.name}`: check the thresholds"
    )
    return Proposal(
        definition=definition,
        rules=readings,
        metric=metric,
        new_model=built,
        preview_sql=sql,
        confidence=WORD_CONFIDENCE,
        doubts=[why],
    )


def _said(c: Condition, sm: SemanticModel) -> str:
    what = {"rows": f"{sm.name} rows", "days": "distinct days"}.get(c.kind, f"distinct {c.column} values")
    return f"{c.op} {c.n} {what}" + (f" among {', '.join(c.values)}" if c.values else "")


def _model(
    model: Model, name: str, entity: str, sm: SemanticModel, conditions: list[Condition]
) -> NewModel | str:
    """The model ``name``_by_``entity``: one row per entity and month with whether it passes."""
    key = next((e.expr or e.name for e in sm.entities if e.name == entity), "")
    days = [d for d in sm.dimensions if d.type == "time" and d.grain is Grain.DAY]
    dataset = canonical_for(model, sm.relation)
    if len(days) != 1 or dataset is None or not re.fullmatch(r"[a-z_][a-z0-9_]*", key):
        return f"{sm.name} has no one day-grain date, or is no canonical dataset"
    day = days[0].expr or days[0].name
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", day):
        return f"{sm.name}'s date is an expression"
    counts = []
    for i, c in enumerate(conditions):
        if c.kind == "rows":
            counts.append(f"count(*) as c{i}")
        elif c.kind == "days":
            counts.append(f"count(distinct cast(source.{day} as date)) as c{i}")
        else:
            kept = ", ".join(f"'{v}'" for v in c.values)
            value = (
                f"case when source.{c.column} in ({kept}) then source.{c.column} end"
                if kept
                else f"source.{c.column}"
            )
            counts.append(f"count(distinct {value}) as c{i}")
    test = " and ".join(f"c{i} {c.op} {c.n}" for i, c in enumerate(conditions))
    own = f"{name}_by_{entity}"
    grain = f"{entity}_month_id"
    sep = ",\n        "
    sql = f"""-- {own}: one row per {entity} and month with its {sm.name} rows counted, and whether it passes
-- every threshold of the rule that defines the word ({test}).
-- Materialized as a table: read by every query of the metric.

with source as (
    -- the canonical dataset, {dataset.grain}
    select * from {{{{ ref('{dataset.name}') }}}}
),

per_{entity} as (
    select
        cast(date_trunc('month', source.{day}) as date) as {MONTH},
        source.{key},
        {sep.join(counts)}
    from source
    where source.{day} is not null
      and source.{key} is not null
    group by 1, 2
)

select
    cast({key} as varchar) || '-' || strftime({MONTH}, '%Y-%m') as {grain},
    {MONTH},
    {key},
    case when {test} then 1 else 0 end as {PASSES}
from per_{entity}
"""
    try:
        return monthly_model(
            model,
            own,
            sql,
            description=f"Each {entity}'s {sm.name} rows by month, and whether it passes the rule's thresholds.",
            entities=per_entity(f"{own}_row", grain, entity, key),
            reason=f"no semantic model holds each {entity}'s {sm.name} counts per month; built from "
            f"{dataset.name} (a table: read by every query)",
            refs=(dataset.name,),
        )
    except MetricmindError as exc:
        return exc.message
