"""What a rule is read against (``Context``), what one rule read gives (``Read``), the yes/no flags a
source reaches (``flags_of``) and the filter a kept or dropped value writes (``predicate_for``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from metricmind.define.proposal import RuleReading
from metricmind.define.words import opposites, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.filters import parse_where
from metricmind.spec.model import Dimension, Model
from metricmind.spec.names import SEP

#: Rule words that say how, not what: ignored when looking for values.
RULE_GLUE = frozenset(
    "exclude excluded excluding except only just include including keep count counted counting leave "
    "leaving out without status state type kind record row limited limit restricted restrict solely "
    "exclusively nothing must omit omitted omitting ignore ignored ignoring drop dropped remove removed "
    "skip skipped whose should shall will would can cannot may might need needs do doe does did".split()
)


@dataclass(frozen=True)
class Flag:
    """A yes/no dimension and the phrases that name it."""

    name: str  # reachable name, e.g. subscription__is_trial
    phrases: tuple[tuple[str, ...], ...]
    #: Phrases that name the flag's "no" (``value_aliases: {"false": [paid]}``: a paid subscription is not
    #: a trial); read only on the rows the flag describes (``own``), never across a join.
    negated: tuple[tuple[str, ...], ...] = ()
    own: bool = False
    #: One-word opposites of its name ("unverified" for is_verified): its "no" on any rows, joined or not.
    opposite: tuple[tuple[str, ...], ...] = ()


@dataclass
class Context:
    """What a rule is read against: the chosen source's reachable dimensions and its own rules."""

    model: Model
    lexicon: Lexicon
    reachable: set[str]
    snapshot: bool
    covering: list[str] = field(default_factory=list)  # the chosen metric's rules and description
    time_dims: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)  # name → phrases
    flags: list[Flag] = field(default_factory=list)
    home: set[str] = field(default_factory=set)  # the source's own semantic models
    ambiguous: list[tuple[str, list[str]]] = field(default_factory=list)  # (phrase, dimensions) not read
    said: tuple[str, ...] = ()  # the stems of the text being read
    keys: list[tuple[int, tuple[str, ...]]] = field(
        default_factory=list
    )  # (position, words) of each value found
    raw: str = ""  # the text being read, as written (an alias the catalog writes in capitals must be so)
    chosen: list[str] = field(default_factory=list)  # aliases of several dimensions read as the finer one
    table: str = ""  # the source's one table (relation), when it has one
    table_values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # its non-dimension text columns
    table_numeric: tuple[str, ...] = ()  # its numeric columns (compared with a number by a rule)
    table_columns: dict[str, str] = field(default_factory=dict)  # its columns and types (two compared)
    own_name: str = ""  # the closest metric's name (the event it counts: "churned_mrr")
    naming: list[str] = field(default_factory=list)  # the source's measures and models: names, descriptions
    statistic: str = ""  # what the source computes: "average", "p50" … (``statistics.statistic_of``)
    definition: str = ""  # the definition's text (how it uses a word a rule defines: ``definedword.py``)
    sources: list[str] = field(default_factory=list)  # the source's texts and its inputs' (``sourcetexts``)


@dataclass
class Read:
    """One rule read: its reading, and the values it keeps or drops per dimension."""

    reading: RuleReading
    dimension: str | None = None
    values: tuple[str, ...] = ()
    negative: bool = False
    time_dimension: str | None = None
    others: tuple[str, ...] = ()  # the dimensions of a rule that keeps values of several
    contradicts: str | None = None  # the source's own clause that leaves out what the filter keeps
    scale: float | None = None  # "as a fraction between 0 and 1" (1) or "a number from 0 to 100" (100)
    which: tuple[tuple[str, ...], tuple[str, ...]] | None = None  # "plan tier, not segment": (yes, no)
    column_sql: str | None = None  # a predicate on a column of the source's table that is no dimension
    treated_as: tuple[str, ...] = ()  # "Treat bank transfers as wire": ``values`` count as these values
    tied: tuple[tuple[str, str], ...] = ()  # "Don't count creates in the api feature": the pair dropped


_ASKING = frozenset({"is", "are", "was", "were", "has", "have", "had", "does", "did", "can"})
"""A label's first word that asks ("Is trial", "Has paid"): the rest names the flag's yes."""


def flags_of(model: Model, reachable: set[str], home: set[str] | None = None) -> list[Flag]:
    """The yes/no dimensions reachable from the source, with their phrases ("trial" for is_trial).

    A flag is the source's ``own`` when its rows are the source's rows: its semantic model is one of
    ``home``, or a month-end snapshot of it is (``<model>_month_end``).
    """
    out: list[Flag] = []
    for name in sorted(reachable, key=lambda n: (n.count(SEP), not own_flag_of(model, n, home), n)):
        dim_name = name.rsplit(SEP, 1)[-1]
        if not dim_name.startswith(("is_", "was_", "has_")):
            continue
        dim = _own_dimension(model, name) or find_dimension(model, name)  # its own label, not a namesake's
        if dim is None or any(
            f.name.rsplit(SEP, 1)[-1] == dim_name and _whose(f.name) == _whose(name) for f in out
        ):
            continue
        phrases = {stems(dim_name.split("_", 1)[1].replace("_", " "))}
        phrases.update(stems(str(s)) for s in dim.meta.get("synonyms") or ())
        if (
            dim.label and "?" not in dim.label
        ):  # its label names its "yes": "Circle member" (is_loyalty_member); "Is trial" asks, its name says it
            said = dim.label.replace("-", " ").split()
            if said and said[0].lower() in _ASKING:
                said = said[1:]
            if said:
                phrases.add(stems(" ".join(said)))
        aliases = dim.meta.get("value_aliases") or {}
        no = [a for k, v in aliases.items() if str(k).lower() == "false" for a in v or ()]
        negated = {stems(str(a).replace("-", " ")) for a in no}
        sm = _flag_model(model, name)
        own = sm is not None and home is not None and (sm in home or f"{sm}_month_end" in home)
        out.append(
            Flag(
                name,
                tuple(sorted(p for p in phrases if p)),
                tuple(sorted(p for p in negated if p and p not in phrases)),
                own,
                tuple(sorted({stems(w) for w in opposites(dim_name)} - phrases - {()})),
            )
        )
    return out


def _whose(name: str) -> str:
    """The entity a reachable dimension belongs to (``subscription__customer__is_active``: the customer)."""
    return name.rsplit(SEP, 2)[-2] if name.count(SEP) else ""


def own_flag_of(model: Model, name: str, home: set[str] | None) -> bool:
    """Whether the flag ``name`` describes the source's own rows: of one name on two entities ("urgent":
    the appointment's ``is_urgent`` and its referral's), the source's own is the one read.
    """
    sm = _flag_model(model, name)
    return sm is not None and home is not None and (sm in home or f"{sm}_month_end" in home)


def _own_dimension(model: Model, name: str) -> Dimension | None:
    """The dimension ``name`` reaches on its entity's own model (``find_dimension`` takes the first of
    that name anywhere: a referral's ``is_urgent`` labelled "Urgent referral" for an appointment's).
    """
    sm = _flag_model(model, name)
    dim_name = name.rsplit(SEP, 1)[-1]
    found = [d for d in model.semantic_models[sm].dimensions if d.name == dim_name] if sm else []
    return found[0] if found else None


def _flag_model(model: Model, name: str) -> str | None:
    """The semantic model whose rows a reachable flag describes (its entity's primary model)."""
    entity = name.rsplit(SEP, 1)[0].rsplit(SEP, 1)[-1] if SEP in name else ""
    dim_name = name.rsplit(SEP, 1)[-1]
    for sm in model.semantic_models.values():
        if sm.primary == entity and any(d.name == dim_name for d in sm.dimensions):
            return sm.name
    return None


def find_dimension(model: Model, name: str) -> Dimension | None:
    """The categorical dimension a reachable name (``entity__dim``) ends with."""
    dim_name = name.rsplit(SEP, 1)[-1]
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            if d.name == dim_name and d.type == "categorical":
                return d
    return None


#: Dimensions that hold a current state (today's), not a fact fixed when the row was made.
STATE_DIMENSIONS = frozenset(
    {"status", "lifecycle_stage", "is_paid", "is_refunded", "is_enabled", "is_paid_late"}
)


def is_state(dim: str) -> bool:
    """``dim`` holds only today's state (``STATE_DIMENSIONS``)."""
    return dim.rsplit(SEP, 1)[-1] in STATE_DIMENSIONS


def predicate_for(dim: str, values: tuple[str, ...], negative: bool) -> str:
    """The MetricFlow filter for keeping (or dropping) ``values`` of ``dim``; checked by the allow-list."""
    *path, entity, name = dim.split(SEP)
    # more than one hop: MetricFlow's form (it rejects 'a__b__dimension' inside a filter)
    hops = f", entity_path={path!r}" if path else ""
    ref = f"{{{{ Dimension('{entity}{SEP}{name}'{hops}) }}}}"
    if values in (("true",), ("false",)):
        flag = values[0] == "true"
        out = f"{ref} = {'false' if flag == negative else 'true'}"
    else:
        quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
        if negative:
            out = (
                f"({ref} is null or {ref} != {quoted})"
                if len(values) == 1
                else f"({ref} is null or {ref} not in ({quoted}))"
            )
        else:
            out = f"{ref} = {quoted}" if len(values) == 1 else f"{ref} in ({quoted})"
    parse_where(out)  # the same allow-list every filter passes
    return out


def contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """``phrase`` occurs in ``words`` as a run."""
    n = len(phrase)
    return any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def names_flag(words: tuple[str, ...], flag: Flag) -> bool:
    """``words`` name ``flag`` itself ("trials"): then its "no" words speak of another moment ("trials
    that converted to paid"), not of the rows to keep.
    """
    return any(contains(words, p) for p in flag.phrases)
