"""Does the closest existing metric compute what the words say? The ratio a definition states, the
dimensions its rules name, and the column or entity it aggregates, checked against a metric.
"""

from __future__ import annotations

import re

from metricmind.define.dating import dated_forms
from metricmind.define.flowstate import flow_for_state, is_day_flow
from metricmind.define.implied import state_words
from metricmind.define.kinds import defining, difference, word_in
from metricmind.define.money import asks_money
from metricmind.define.money import counted_entity as metric_entity
from metricmind.define.parts import own_words
from metricmind.define.proposal import Definition
from metricmind.define.rank import is_rate, is_ratio, measures_of, rank
from metricmind.define.ratiotail import over_named, split_tail
from metricmind.define.rivals import names_only_metric
from metricmind.define.sums import total
from metricmind.define.termcolumns import entities_named
from metricmind.define.terms import Term, find_term
from metricmind.define.windows import without_window_words
from metricmind.define.words import RATIO, content, lexicon, stems
from metricmind.resolve.lexicon import COMMON_WORDS, Lexicon
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Metric, Model
from metricmind.spec.names import SEP

AS_SHARE = re.compile(
    r"^(?P<num>.+?)\s+as an? (?:share|proportion|percentage|percent|fraction|%) of\s+(?P<den>.+)$", re.I
)
#: "Android % of all product events", "Android percent of all events": the part said bare before the scale.
#: Never a quantity ("the top 10 percent of customers"): the part ends in a word, not a number.
BARE_SHARE = re.compile(r"^(?P<part>[\w -]*?[a-z])\s*(?:%|\bpercent\b|\bpct\b) of\s+(?P<whole>.+)$", re.I)
#: "EMEA's share of total MRR": the part is named before the possessive.
OWN_SHARE = re.compile(
    r"^(?P<part>[\w -]+?)(?:'s|’s|s')\s+(?:share|proportion|percentage|fraction|part) of\s+(?P<whole>.+)$",
    re.I,
)
#: "Share of …" before "…, as a fraction of …": the scale said twice, the numerator is what follows it.
SHARE_HEAD = re.compile(r"^(?:the\s+)?(?:share|proportion|fraction|percentage|percent)\s+of\s+", re.I)
DIVIDED = re.compile(r"^(?P<num>.+?)\s+(?:divided by|over|÷|/)\s+(?P<den>.+)$", re.I)
#: A rule that names both sides ("the numerator keeps urgent tickets only; the denominator is every ticket").
SIDES = re.compile(
    r"^(?:the )?numerator (?:keeps|is|counts|takes|holds)\s+(?P<num>.+?)\s*[;,]\s*(?:and |while |but )?"
    r"(?:the )?denominator (?:is|keeps|counts|takes|holds)\s+(?P<den>.+)$",
    re.I,
)


SHARE = re.compile(
    r"\b(?:share|proportion|percentage|percent|fraction) of (?P<whole>.+?)\s+(?P<part>(?:that|which|who|paid|billed|"
    r"from|on|in|with)\b.+)$",
    re.I,
)

#: "share of APAC invoices settled by card": the part said by a participle (after the forms above).
SHARE_BY_PARTICIPLE = re.compile(
    r"\b(?:share|proportion|percentage|percent|fraction) of (?P<whole>.+?)\s+(?P<part>[a-z]{3,}ed\b.+)$", re.I
)


def structure(definition: Definition) -> tuple[str, str, str, int | None] | None:
    """(numerator text, denominator text, numerator-only qualifier, index of the rule that said it)."""
    for i, rule in enumerate(definition.rules):
        sides = SIDES.match(rule.strip().rstrip("."))
        if sides:  # "…; the denominator is every weekend night, whoever booked it": the side, not its aside
            whole = re.split(r",|\s+-\s+", sides.group("den"))[0].strip()
            return whole, whole, sides.group("num").strip(), i  # the numerator: the whole's rows it keeps
        m = DIVIDED.match(rule.strip().rstrip("."))
        if m and " divided by " in rule.lower():  # "…, as a percentage": the ratio's scale, not the den's
            return m.group("num"), split_tail(m.group("den"))[0], "", i
    text = definition.text.strip().rstrip(".")
    head = ""
    if ":" in text:  # "Logo churn rate: customers lost divided by …"
        head, text = (t.strip() for t in text.split(":", 1))
    m = DIVIDED.match(text)
    if m and (" divided by " in text.lower() or over_named(head, text)):
        den = re.split(r",\s*(?:per|by|each|every)\b", m.group("den"))[0]
        return m.group("num"), den, "", None
    m = AS_SHARE.match(text)
    if m:  # "…, by issue month": the period of both parts, not the denominator's words
        num = SHARE_HEAD.sub("", m.group("num"))  # "Share of revenue from X, as a fraction of all revenue"
        return num, re.split(r",\s*(?:per|by|each|every)\b", m.group("den"))[0], "", None
    found = _per_or_out_of(text)
    if found:
        return found[0], found[1], "", None
    s = OWN_SHARE.match(text) or BARE_SHARE.match(text)
    if s:  # "EMEA's share of total MRR, as a percentage": the whole, and the part's qualifier
        whole = re.split(r",|\s+(?:expressed|shown|given|written)\b", s.group("whole"))[0].strip()
        return whole, whole, s.group("part"), None
    s = SHARE.search(text) or SHARE_BY_PARTICIPLE.search(text)
    if s:  # "…, by the month of the touch": a dating tail is said of both parts, not the part's filter
        part = re.split(
            r",\s*(?=(?:dated |counted )?(?:by|per|each|every|in the|for the) )", s.group("part")
        )[0]
        return s.group("whole"), s.group("whole"), part.strip(), None
    return None


#: "X out of Y", "X per Y" (Y no time word: "per month" is a period, "per active user" a denominator).
#: ("out of a micro hub", "out of our Leeds depot" say where from, never a denominator).
OUT_OF = re.compile(r"^(?P<num>.+?)\s+out of\s+(?!(?:a|an|our|one of our)\b)(?P<den>.+)$", re.I)
PER = re.compile(
    r"^(?P<num>.+?)\s+per\s+(?!(?:the |a |each |every |calendar )?"
    r"(?:month|day|week|quarter|year)s?\b)(?P<den>.+)$",
    re.I,
)
#: A time qualifier at the end of a ratio ("…, monthly", "at month end"): it belongs to both parts.
TAIL = re.compile(
    r"(?:,\s*|\s+)((?:at|on|as of|by) (?:the )?(?:month[- ]?end|end of (?:the|each|every) month)|monthly|"
    r"(?:per|each|every|by|in the|a) month|at the close of (?:the|each|every) month)\s*$",
    re.I,
)


def _per_or_out_of(text: str) -> tuple[str, str] | None:
    """(numerator, denominator) of "X out of Y" or "X per Y"; None for an average ("Average MRR per
    customer" is one aggregation) and when nothing is left on a side.
    """
    tail = TAIL.search(text)
    body, when = (text[: tail.start()], " " + tail.group(1)) if tail else (text, "")
    for pattern in (OUT_OF, PER):
        m = pattern.match(body.strip())
        if m is None:
            continue
        num, den = m.group("num").strip(), m.group("den").strip()
        if re.match(r"(?i)(average|mean|median)\b", num) or not num or not den:
            return None
        return num + when, den + when
    return None


def _date_column(model: Model, semantic_model: str, name: str) -> str:
    """The column a time dimension reads (``credited_at`` → ``converted_at``), else its name."""
    sm = model.semantic_models.get(semantic_model)
    dim = next((d for d in sm.dimensions if d.name == name), None) if sm is not None else None
    return (dim.expr or dim.name) if dim is not None else name


def compatible(model: Model, metric: Metric, term: Term | None, named_dims: set[str]) -> bool:
    """An existing metric computes what the term says: the same column, or a count of the same entity,
    and every dimension the text names is reachable from it.
    """
    measures = measures_of(model, metric)
    if not measures:
        return term is None
    graph = JoinGraph(model, max_hops=4)
    reach: set[str] = set()
    for ms in measures:
        reach |= {n.rsplit(SEP, 1)[-1] for n in graph.reachable_names(ms.semantic_model)}
    if any(d.rsplit(SEP, 1)[-1] not in reach for d in named_dims):
        return False
    if term is None:
        return True
    if term.snapshot and any(is_day_flow(model, ms) for ms in measures):
        return False  # "unpaid invoices at month end": the invoices issued in the month are another count
    if (
        term.time_named
        and not term.snapshot
        and all(
            _date_column(model, ms.semantic_model, ms.agg_time_dimension)
            != _date_column(model, term.sm, term.time)
            for ms in measures
        )
    ):
        return False  # "credited_at" of the attribution mart is the touchpoints' converted_at: the same date
    if term.agg in ("median", "max", "min", "percentile"):  # a statistic: that column aggregated so only
        return any(
            ms.expr == term.expr and ms.agg.value == term.agg and ms.percentile == term.percentile
            for ms in measures
        )
    if term.agg in ("sum", "average"):
        want = set(term.expr.split("_"))
        # the same column, or a narrower one the metric names ("last_touch_new_mrr" for "new MRR")
        fits = any(ms.expr == term.expr or want < set(ms.expr.split("_")) for ms in measures)
        return fits and (term.agg == "sum" or is_ratio(metric))
    if term.counted is None:
        return False
    for ms in measures:
        home = model.semantic_models[ms.semantic_model]
        key = next((e.expr for e in home.entities if e.name == term.counted), None)
        if key is None:
            return False
        per_period = ms.non_additive is not None and (home.primary or "").startswith(f"{term.counted}_")
        if ms.non_additive is None and ms.semantic_model != term.sm and term.confidence >= 0.6:
            return False  # "accounts with product activity" are counted in the events, not the signups
        if (
            ms.non_additive is not None
            and ms.semantic_model != term.sm
            and term.agg == "count_distinct"
            and not term.snapshot
            and term.confidence >= 0.6
        ):
            return False  # "customers with at least one event" did something: not the customers at month end
        if ms.agg.value in ("count", "sum_boolean") and home.primary != term.counted and not per_period:
            return False
        if ms.agg.value == "count_distinct" and key not in ms.expr:
            return False
        if ms.agg.value in ("sum", "average"):
            return False
    return True


def named_dimensions(
    model: Model, texts: list[str], ignore: frozenset[str] = frozenset(), *, common_named: bool = False
) -> set[str]:
    """Categorical dimensions whose values the texts (the rules) name unambiguously, as written; a phrase
    whose stems are all in ``ignore`` (words of the metric itself, states it means) names none. With
    ``common_named``, an everyday word that is a value ("share", "paid") names its dimension only beside
    that dimension's or its entity's name ("the share action", "lapsed trials"), never in "an equal share".
    """
    lx = lexicon(model)
    out: set[str] = set()
    for text in texts:
        if dated_forms(text.lower()):
            continue  # "Counted in the month the customer converted" names a date, not the value `converted`
        raw = re.findall(r"[a-z0-9_]+", text.lower().replace("-", " "))
        used = [False] * len(raw)
        for size in (2, 1):
            for i in range(len(raw) - size + 1):
                if any(used[i : i + size]):
                    continue  # "paid social" is read, not "paid" again
                phrase = " ".join(raw[i : i + size])
                if ignore and set(stems(phrase.replace("_", " "))) <= ignore:
                    continue
                hits = {
                    e.target.partition("=")[0]
                    for e in lx.lookup(stems(phrase.replace("_", " ")))
                    if e.kind == "value"
                    and e.source in ("value", "name", "label")
                    and e.target.partition("=")[2].lower() in (phrase, phrase.replace(" ", "_"))
                }
                if hits:  # "paid search" of several channels: read, never "paid" again
                    used[i : i + size] = [True] * size
                if len(hits) == 1 and (
                    not common_named
                    or size > 1
                    or phrase not in COMMON_WORDS
                    or _named_near(raw, i, hits, lx)
                ):
                    out |= hits  # "an equal share" is no `share` action; "the share action" is
    return out


def _named_near(raw: list[str], i: int, dims: set[str], lx: Lexicon) -> bool:
    """A word beside ``raw[i]`` (within two) names one of ``dims`` or its entity ("the share action")."""
    near = [raw[j] for j in range(max(0, i - 2), min(len(raw), i + 3)) if j != i]
    owners = {stems(d.split("__")[0].replace("_", " "))[-1:] for d in dims}
    for w in near:
        if stems(w.replace("_", " "))[-1:] in owners:  # "lapsed trials": the trials' own outcome
            return True
        for e in lx.lookup(stems(w.replace("_", " "))):
            if e.kind == "dimension" and e.target in dims:
                return True
            if e.kind == "dimension" and any(e.target.split("__")[0] == d.split("__")[0] for d in dims):
                return True
    return False


_DISTINCT_WORD = frozenset({"distinct", "unique"})


def distinct_of(model: Model, text: str) -> str:
    """The entity a "distinct"/"unique" counts ("distinct paying customers" → customer): an entity of the
    project named within two words after it (by its name, or the name the lexicon reads as it).
    """
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    named = dict(entities_named(model, words, lexicon(model)))
    for i, w in enumerate(words):
        if w in _DISTINCT_WORD:
            for j in range(i + 1, min(i + 1 + _DISTINCT_REACH, len(words))):
                if j in named:
                    return named[j]
                if words[j] in _CLAUSE_WORDS:  # "distinct sessions of players": what follows is no head
                    break
    return ""


#: How far after "distinct" the counted entity may come ("distinct EMEA customer accounts": accounts).
_DISTINCT_REACH = 4
#: Words that end the noun phrase after "distinct".
_CLAUSE_WORDS = frozenset("that who which whose with without of in on by for per from at to".split())


#: Column-name parts that say a state of the rows ("overdue_amount"), and the words that say it: a column
#: narrowed by a state the definition does not say computes something else ("unpaid invoices" are not
#: only the overdue ones).
STATES = {
    "overdue": re.compile(r"\b(overdue|past (?:\w+ ){0,3}(?:due|promised|deadline)|late)\b", re.IGNORECASE)
}
#: The words of a share ("EMEA's share of MRR"): structure, never a value ("share" is an event action).
SHARE_OF = re.compile(r"\b(share|proportion|percentage|percent|fraction)s? of\b", re.IGNORECASE)


def narrower_state(model: Model, base: Metric, term: Term | None, text: str) -> str | None:
    """Why ``base`` computes fewer rows than ``text`` says: its column is narrowed by a state (``STATES``,
    "overdue_amount") the text does not say; None when it is not.
    """
    wanted = term.expr.split("_") if term is not None else []
    for ms in measures_of(model, base):
        for part, said in STATES.items():
            if part in ms.expr.split("_") and part not in wanted and not said.search(text):
                return f"`{base.name}` sums {ms.expr}, {part} rows only, which the definition does not say"
    return None


def incompatible(
    definition: Definition, model: Model, base: Metric, columns: dict[str, dict[str, str]] | None
) -> str | None:
    """Why the closest metric computes something else than the definition's words say (another column or
    entity, a dimension it cannot reach, another ratio), or None when it fits.
    """
    shape = structure(definition)
    minus = difference(definition.text) if shape is None else None
    if minus is not None and not (base.type.value == "derived" and " - " in str(base.expr or "")):
        return f"the definition is the difference {minus[0]!r} − {minus[1]!r}, which `{base.name}` is not"
    plus = total(definition.text) if shape is None and minus is None else None
    if plus is not None and not (base.type.value == "derived" and " + " in str(base.expr or "")):
        return f"the definition is the sum {plus[0]!r} + {plus[1]!r}, which `{base.name}` is not"
    if shape is not None and any((d := defining(r)) and word_in(d[0], shape[0]) for r in definition.rules):
        return f"a rule says which rows the numerator {shape[0]!r} means, which `{base.name}` does not say"
    if shape is not None:
        if same_ratio(model, base, shape[0], shape[1]):
            return None
        return (
            f"the definition is the ratio {shape[0]!r} ÷ {shape[1]!r}, which the closest metric `{base.name}` "
            "is not, and its parts could not be built"
        )
    lx = lexicon(model)
    context = " ".join([definition.text, *definition.rules])
    said = without_window_words(definition.text, definition.rules)  # "went paid": a rule's window
    term = find_term(model, said, context, lx, columns, (said, *definition.rules))
    named = named_dimensions(model, list(definition.rules), common_named=True)
    unreachable = sorted(d for d in named if not compatible(model, base, None, {d}))
    if unreachable:
        return f"`{base.name}` cannot reach {', '.join(unreachable)}, which a rule names"
    own = frozenset(own_words(base, None)) | state_words(model)
    in_text = named_dimensions(model, [SHARE_OF.sub(" ", said)], own)
    unreachable = sorted(d for d in in_text if not compatible(model, base, None, {d}))
    if unreachable:
        return f"`{base.name}` cannot reach {', '.join(unreachable)}, which the definition names"
    state = narrower_state(model, base, term, definition.text)
    if state is not None:
        return state
    if term is None or base.type.value != "simple" or term.confidence < 0.6:
        return None
    if compatible(model, base, term, named):
        return None
    # the words name the metric, not another column ("IAP revenue" against `net_revenue_usd`); of the
    # metric's own column they ask something else of it ("largest … MRR": a max, not its sum)
    own_column = any(ms.expr == term.expr for ms in measures_of(model, base))
    if not own_column and names_only_metric(definition, base, term.expr):
        return None
    return f"the definition asks for {term.reason}, which the closest metric `{base.name}` does not compute"


def same_ratio(model: Model, base: Metric, num: str, den: str) -> bool:
    """``base`` is the ratio of the metrics that best match the numerator and denominator texts."""
    if base.numerator is None or base.denominator is None:
        return is_ratio(base) and base.type.value != "ratio"
    tops = [
        [c.metric.name for c in rank(model, Definition("part", text), text) if not is_ratio(c.metric)][:3]
        for text in (num, den)
    ]
    return base.numerator.name in tops[0] and base.denominator.name in tops[1]


#: Words of a leading "number of", "the count of", "how many", "total number of": said before what is counted.
_COUNT_LEAD = frozenset("number of count the total how many a".split())


def counted_entity(model: Model, text: str) -> str:
    """The entity the definition counts ("distinct shippers …", "Shippers that booked …"), or ``""``."""
    entity = distinct_of(model, text)
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    lead = next(
        (i for i, w in enumerate(words) if w not in _COUNT_LEAD), len(words)
    )  # "number of", "how many"
    named = entities_named(model, words, lexicon(model))
    at = {i for i, _ in named}  # "repeat buyer orders": an entity noun before another only says which
    heads = [(i, e) for i, e in named if i <= lead + 2 and i + 1 not in at]
    if not entity and heads and not RATIO.search(text) and not asks_money(model, text):
        entity = heads[0][1]  # "Accounts with product usage": the thing counted heads the definition
    return entity


def counts_entity(model: Model, metric: Metric, entity: str) -> bool:
    """``metric`` is a simple count of ``entity``: rows of its own table, or a distinct count of its key."""
    if metric.type.value != "simple":
        return False
    found = measures_of(model, metric)
    for ms in found:
        home = model.semantic_models[ms.semantic_model]
        keys = {e.expr.lower() for e in home.entities if e.name == entity}
        if ms.agg.value == "count" and home.primary == entity:
            continue
        if ms.agg.value == "count_distinct" and ms.expr.lower() in keys:
            continue
        return False
    return bool(found)


def _unnamed(text: str, base: Metric) -> str:
    """``text`` without the words that name ``base`` itself ("Rate quotes shown …" of `rate_quotes`: the
    metric's own name, label or synonym says "rate", the definition asks for no ratio).
    """
    names = [
        base.name.replace("_", " "),
        base.label or "",
        *(str(s) for s in base.meta.get("synonyms") or ()),
    ]
    for name in sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True):
        if RATIO.search(name):
            text = re.sub(rf"\b{re.escape(name)}\b", " ", text, flags=re.I)
    return text


def mismatch(definition: Definition, model: Model, base: Metric) -> str | None:
    """Why the closest metric does not compute what the definition asks (a ratio, a column, a distinct count)."""
    text = definition.text
    ratio = is_rate(model, base)
    if RATIO.search(_unnamed(text, base)) and not ratio:
        return (
            f"the definition asks for a ratio or an average, and the closest metric `{base.name}` is not one; "
            "say it as two metrics (numerator and denominator) or write the ratio by hand"
        )
    measures = measures_of(model, base)
    exprs = " ".join(ms.expr.lower() for ms in measures)
    columns = {c for ds in model.canonical_datasets.values() for c in ds.core_attributes}
    dims = {d.name for sm in model.semantic_models.values() for d in sm.dimensions} | {
        e.expr for sm in model.semantic_models.values() for e in sm.entities
    }
    described = set(
        content(" ".join([base.description, *(str(r) for r in base.meta.get("business_rules") or ())]))
    )
    for word in content(text):
        if word in described:
            continue  # "upgrading or adding seats": the metric itself speaks of them
        for column in columns - dims:
            if stems(column.replace("_", " ")) == (word,) and column not in exprs and not ratio:
                return (
                    f"the definition measures {column!r}, a column of the canonical datasets, but no measure "
                    f"aggregates it (closest metric: `{base.name}`); a new measure needs generation"
                )
    flow = flow_for_state(definition, model, base)  # "live on the last day" answered by trials started
    if flow is not None:
        return flow
    entity = counted_entity(model, text)
    if entity:
        for ms in measures:
            home = model.semantic_models[ms.semantic_model]
            if ms.agg.value == "count" and home.primary != entity:
                return (
                    f"the definition counts {entity}s, but `{base.name}` counts rows of "
                    f"{home.relation} (one per {home.primary}); a count-distinct measure needs generation"
                )
        distinct = bool(measures) and all(ms.agg.value == "count_distinct" for ms in measures)
        counts = metric_entity(model, base) if distinct else ""
        if counts and counts != entity and entity not in counts.split("_"):
            return (  # "Canceled subscriptions": rows of subscriptions, not the customers `churned_customers` counts
                f"the definition counts {entity}s, but `{base.name}` counts distinct {counts}s; "
                f"a count of {entity}s needs generation"
            )
    return None
