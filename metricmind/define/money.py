"""Money and counts, read from the loaded project rather than from one project's nouns.

English has words that ask for money ("amount", "revenue", "balance") and words that ask for a count
("number", "count"); those stay as language (``MONEY``, ``COUNT_WORDS``). What a project calls its money
and its countable things is read from its own YAML:

- a metric is **money** when its ``meta.unit`` says a currency, or (most dbt projects declare no unit)
  when every measure it reads sums or averages a column whose name or description speaks of money
  ("principal_amount", "Fees the platform keeps", "in dollars", "amount_cents");
- the project's **money words** are the head nouns (last word of the name, label and synonyms) of its
  money metrics that no counting metric uses as its head ("mrr", "gmv", "principal");
- its **count words** are its entities' names ("customer", "loan", "ticket") and the head nouns of its
  counting metrics and their synonyms ("signups", "logos", "volume").

The head of a definition is the last word of its opening noun phrase, before the first preposition or
relative word ("**Funded amount** to borrowers …" asks for money, "**Loans** that were …" for a count).
"""

from __future__ import annotations

import re

from metricmind.define.currency import says_currency
from metricmind.define.words import GLUE, lexicon
from metricmind.resolve.text import stems
from metricmind.spec.model import Measure, Metric, Model, SemanticModel

#: English words that name money (language, not any one project's nouns).
MONEY = frozenset(
    "value revenue amount money spend collected collection billed dollar sum balance owe owed owing "
    "outstanding receivable cash".split()
)
#: A column name in a measure's expression, and a quoted value (never a column).
IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
QUOTED = re.compile(r"'[^']*'")
#: English words that ask for a count.
COUNT_WORDS = frozenset("number count".split())
#: Words of a measure's column or description that say it holds money.
MONEY_EVIDENCE = frozenset(
    """
    amount amounts revenue revenues price prices fee fees cost costs balance balances cash money dollar
    dollars cent cents currency usd eur gbp spend spent owed payout payouts income salary wage wages
    """.split()
)
_CURRENCY_UNITS = frozenset({"currency", "usd", "eur", "gbp", "dollars", "money"})
_SUMMED = frozenset({"sum", "average", "median", "percentile", "max", "min", "sum_boolean"})
#: Words that end a definition's opening noun phrase.
_PHRASE_END = frozenset(
    """
    of to from for in on by with who that which whose where per at across during over under between among
    excluding except without including within when while after before since than as
    """.split()
)
_TIME_WORDS = frozenset("day days week weeks month months quarter year years date row".split())
_CACHE: dict[int, tuple[Model, frozenset[str], frozenset[str]]] = {}


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", text).lower().replace("_", " "))


def money_measure(ms: Measure) -> bool:
    """``ms`` aggregates money: a sum or statistic of a column whose name or description says so."""
    if str(getattr(ms.agg, "value", ms.agg)) not in _SUMMED or str(ms.expr).strip() in ("1", ""):
        return False
    said = set(_words(str(ms.expr))) | set(_words(ms.description or "")) | set(_words(ms.label or ""))
    return bool(said & MONEY_EVIDENCE) and not ({"percent", "pct", "rate", "ratio"} & set(_words(ms.expr)))


def is_money(model: Model, metric: Metric) -> bool:
    """``metric`` is in a currency: by its declared unit, else by every measure it reads (a ratio: money
    over something that is not money, e.g. an average order value; a take rate is not).
    """
    unit = str(metric.meta.get("unit") or "").lower()
    if unit:
        return unit in _CURRENCY_UNITS
    names = model.measures_of(metric.name)
    measures = [model.measures[n] for n in names if n in model.measures]
    if not measures:
        return False
    if metric.type.value == "ratio" and metric.numerator is not None and metric.denominator is not None:
        num = [model.measures[n] for n in model.measures_of(metric.numerator.name) if n in model.measures]
        den = [model.measures[n] for n in model.measures_of(metric.denominator.name) if n in model.measures]
        # money per thing (an average order value); money over money is a rate (a take rate)
        return bool(num) and all(money_measure(ms) for ms in num) and not all(money_measure(ms) for ms in den)
    return all(money_measure(ms) for ms in measures)


def is_count(model: Model, metric: Metric) -> bool:
    """``metric`` counts rows or distinct keys (declared unit ``count``, or a simple metric whose measure
    counts).
    """
    unit = str(metric.meta.get("unit") or "").lower()
    if unit:
        return unit == "count"
    if metric.type.value != "simple" or metric.measure is None:
        return False
    ms = model.measures.get(metric.measure.name)
    if ms is None:
        return False
    agg = str(getattr(ms.agg, "value", ms.agg))
    return agg in ("count", "count_distinct") or (agg == "sum" and str(ms.expr).strip() == "1")


def _heads(metric: Metric) -> tuple[set[str], set[str]]:
    """The head nouns (stemmed) a metric is called by: (its one-word name and synonyms, the last word of
    its longer name and label that is no participle ("loans funded" → loan) or glue word).
    """
    whole: set[str] = set()
    out: set[str] = set()
    synonyms = [str(s) for s in metric.meta.get("synonyms") or ()]
    for phrase in (metric.name, metric.label, *(s for s in synonyms if len(_words(s)) == 1)):
        raw = [
            w
            for w in _words(re.sub(r"\(.*?\)", " ", phrase))
            if len(w) > 1 and not w.isdigit() and not w.endswith("ed") and not re.search(r"[^s]ing$", w)
        ]
        found = [s for s in stems(" ".join(raw)) if s not in GLUE or s in MONEY]
        if found:
            (whole if len(_words(phrase)) == 1 else out).add(found[-1])
    return whole, out


def _dimension_words(model: Model) -> set[str]:
    """Words of the dimensions' names: they name a property of the rows (a filter), not what is summed."""
    return {
        s
        for sm in model.semantic_models.values()
        for d in sm.dimensions
        for s in stems(" ".join(_words(d.name)))
    }


def vocab(model: Model) -> tuple[frozenset[str], frozenset[str]]:
    """(money words, count words) of ``model``: English's plus the project's own (module docstring)."""
    hit = _CACHE.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1], hit[2]
    money: set[str] = set()
    named: set[str] = set()  # one-word names and synonyms of money metrics ("refunds", "billings")
    counted: set[str] = set()
    for m in model.metrics.values():
        if m.type.value != "simple" and not m.meta.get("unit"):
            continue
        whole, longer = _heads(m)
        if is_money(model, m):
            money |= longer
            named |= whole
        elif is_count(model, m):
            counted |= whole | longer
    entities = {
        found[-1]
        for sm in model.semantic_models.values()
        for e in sm.entities
        if (found := stems(" ".join(_words(e.name))))
    } - _TIME_WORDS
    count_words = frozenset(COUNT_WORDS | counted | entities) - MONEY
    money_words = frozenset(MONEY | ((named | (money - _dimension_words(model))) - counted - count_words))
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(model)] = (model, money_words, count_words)
    return money_words, count_words


def head(text: str) -> str:
    """The head noun (stemmed) of the definition's opening noun phrase: its last word before the first
    preposition or relative word, a participle after it left out ("Funded amount to borrowers …" →
    amount, "# invoices refunded (full or partial)" → invoice).
    """
    said = _words(re.sub(r"\(.*?\)|\(.*$", " ", text))
    if said[:1] in (["what"], ["which"], ["who"], ["how"]):
        return ""  # "What we owe unverified sellers": a clause, not a noun phrase
    words: list[str] = []
    for w in said:
        if w in _PHRASE_END and words:
            break
        words.append(w)
    while len(words) > 1 and words[-1].endswith("ed"):
        words.pop()
    found = stems(" ".join(words))
    return found[-1] if found else ""


def asks_money(model: Model, text: str, within: int = 3) -> bool:
    """``text`` asks for money: its head noun is a money word of the project, or (its head is no count
    word) one of its first ``within`` words is ("recurring revenue of …"). "# invoices refunded" asks
    for a count though the project has a money metric called "refunds".
    """
    if says_currency(text):
        return True  # "Paid invoices, $, by month": the invoices' amount, not their number
    money_words, count_words = vocab(model)
    said = head(text)
    if said in money_words:
        return True
    if said in count_words:
        return False
    words = stems(text.lower().replace("_", " ").replace("-", " "))
    return any(w in money_words or w == "recurring" for w in words[:within])


def counted_entity(model: Model, metric: Metric) -> str:
    """The entity a simple counting metric counts: the entity whose key it counts distinct, or the
    primary entity of the rows it counts; "" when it counts no one entity.
    """
    if not is_count(model, metric) or metric.type.value != "simple" or metric.measure is None:
        return ""
    ms = model.measures.get(metric.measure.name)
    if ms is None:
        return ""
    sm = model.semantic_models[ms.semantic_model]
    agg = str(getattr(ms.agg, "value", ms.agg))
    expr = str(ms.expr).strip()
    for e in sm.entities:
        if expr in (e.expr, e.name) and (agg == "count_distinct" or e.name == sm.primary):
            return e.name
    if agg == "count_distinct":  # "case when status = 'canceled' then customer_id end": the customers
        return keyed_entity(sm, expr)
    return sm.primary or ""


def keyed_entity(sm: SemanticModel, expr: str) -> str:
    """The one entity whose key ``expr`` names as a column (its quoted values left out), else ``""``."""
    names = set(IDENTIFIER.findall(QUOTED.sub(" ", expr.lower())))
    found = {e.name for e in sm.entities if (e.expr or e.name).lower() in names}
    return found.pop() if len(found) == 1 else ""


def wanted_entity(model: Model, text: str) -> str:
    """The entity the definition's head noun names ("Loans that were …" → loan), by its name or by the
    name the lexicon reads as it ("accounts" → customer); "" when the head names none.
    """
    said = head(text)
    if not said:
        return ""
    names = {e.name for sm in model.semantic_models.values() for e in sm.entities}
    if said in names:
        return said
    for entry in lexicon(model).lookup((said,)):
        if entry.kind == "dimension" and entry.source in ("synonym", "entity", "name"):
            entity = entry.target.split("__", 1)[0]
            if entity in names and entry.target.endswith("__name"):
                return entity
    return ""
