"""What a definition aggregates, read from its words: a column (sum or average), an entity (count or
count distinct), the semantic model that holds it, its time dimension, and whether it is a month-end
snapshot. Used when no existing measure fits ("seats at month end", "distinct customers with a product
event", "average days late"); pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.define.datasets import canonical
from metricmind.define.money import MONEY, asks_money
from metricmind.define.termdates import dating_texts, time_of
from metricmind.define.words import GLUE, POINT_IN_TIME, bare_time_name, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.model import Model, SemanticModel

COUNT_CUE = re.compile(
    r"^\s*(the )?(total )?(number|count|how many|distinct|unique|different)\b|"
    r"\b(distinct|unique|number of|count of|how many|tally of)\b",
    re.I,
)
AVG_CUE = re.compile(
    r"\b(average|(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bthat )mean(?! that| by| the)|avg)\b", re.I
)
#: "Median days to pay": the middle value of the column, not its mean.
MEDIAN_CUE = re.compile(r"\bmedian\b", re.I)
#: "Maximum days late", "largest single subscription's MRR": the greatest value of the column.
MAX_CUE = re.compile(r"\b(?:max|maximum|(?:largest|biggest|highest) single)\b", re.I)
#: "Minimum invoice amount", "smallest single invoice": the least value of the column.
MIN_CUE = re.compile(r"\b(?:minimum|(?:smallest|lowest) single)\b", re.I)
#: "p90 days to pay", "90th percentile of …": that percentile of the column (the median is MEDIAN_CUE's).
PERCENTILE_CUE = re.compile(r"\bp(\d{2})\b|\b(\d{2})(?:th|st|nd|rd)? percentile\b", re.I)
#: Words that say which statistic, never what is aggregated ("90th" leaves "th" once its digits are gone).
STATISTIC_WORDS = frozenset({"max", "maximum", "minimum", "percentile", "th", "single"})


def statistic(text: str) -> tuple[str, float | None]:
    """(``max`` | ``min`` | ``percentile`` | "", the percentile as a fraction) the text asks for."""
    if MAX_CUE.search(text):
        return "max", None
    if MIN_CUE.search(text):
        return "min", None
    m = PERCENTILE_CUE.search(text)
    if m and int(m.group(1) or m.group(2)) != 50:  # p50 is the median
        return "percentile", int(m.group(1) or m.group(2)) / 100
    return "", None


SNAPSHOT_CUE = re.compile(rf"\b({POINT_IN_TIME}|at month end)\b|\blive\b", re.I)
#: Names (suffix removed) of the time columns a row lives between (a subscription by its start and end).
START_WORDS = ("started", "start", "starts", "valid_from", "begins", "began", "effective_from")
END_WORDS = ("ended", "end", "ends", "valid_to", "valid_until", "expires", "expired", "effective_to")
#: ... and of the columns a row is open between, when the definition asks for what is open or unpaid.
OPENED_WORDS = ("issued", "opened", "created", "raised", "submitted")
CLOSED_WORDS = ("paid", "settled", "solved", "resolved", "closed")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
#: Column name parts that say what a column is, not what it measures.
_NOT_MEASURES = re.compile(r"(_id|_at|_date|_name)$|^(is|has|was)_")
_PART_GLUE = frozenset({"to", "of", "at", "in", "on", "per", "by"})
#: Parts of a column name that only say its unit ("discount_pct"): the rest of the name names it.
UNIT_PARTS = frozenset({"pct", "percent", "amt", "usd", "eur", "num", "qty", "cnt"})
#: Verbs that say how a thing came about and name no data ("sold", "used").
VERBS = (
    frozenset("sold sell selling used use using bought signed gained won opened closed because due".split())
    | STATISTIC_WORDS
)


@dataclass(frozen=True)
class Term:
    """One aggregation a definition asks for."""

    sm: str  # the semantic model that holds the rows
    agg: str  # sum | average | median | count | count_distinct
    expr: str  # column (or entity key) aggregated
    time: str  # the time dimension it is dated by
    snapshot: bool  # a month-end snapshot (needs a snapshot model of sm)
    reason: str
    confidence: float
    counted: str | None = None  # the entity counted, for counts
    time_named: bool = False  # the text named the time dimension ("by payment date")
    percentile: float | None = None  # for agg percentile: 0.9 for "p90"


def _words(text: str) -> tuple[str, ...]:
    return stems(text.lower().replace("-", " ").replace("_", " "))


def _part_hit(part: str, words: tuple[str, ...]) -> int | None:
    for i, w in enumerate(words):
        if w == part or (len(part) >= 3 and (w.startswith(part) or (len(w) >= 4 and part.startswith(w)))):
            return i
    return None


def mentions(column: str, words: tuple[str, ...]) -> int:
    """How many parts of ``column`` the words name, all of them within a short window; else 0."""
    parts = [p for p in _words(column) if p not in _PART_GLUE]
    if len(parts) > 1 and any(p not in UNIT_PARTS for p in parts):  # "discount" names discount_pct
        parts = [p for p in parts if p not in UNIT_PARTS or _part_hit(p, words) is not None]
    if not parts:
        return 0
    hits = [_part_hit(p, words) for p in parts]
    hits = [  # "number of orders placed by buyers" counts rows: it names no buyer_order_number column
        None if h is not None and p in COUNT_PARTS and words[h + 1 : h + 2] == ("of",) else h
        for p, h in zip(parts, hits, strict=True)
    ]
    if any(h is None for h in hits):
        return 0
    spots = [h for h in hits if h is not None]
    return len(parts) if max(spots) - min(spots) <= len(parts) + 3 else 0


def _fuller(column: str, words: tuple[str, ...], texts: tuple[str, ...]) -> float:
    """A column of several parts the text names only in part ("spend" of ``allocated_spend``) while a
    rule names it whole ("allocated spend, by touch date"): the rule says which column the word means.
    Scored as naming it whole; 0 when the text names none of its parts.
    """
    parts = [p for p in _words(column) if p not in _PART_GLUE and p not in UNIT_PARTS]
    if len(parts) < 2 or not any(_part_hit(p, words) is not None for p in parts):
        return 0.0
    whole = any(_in_order(parts, _words(t)) for t in texts)
    return float(len(parts)) if whole else 0.0


def _headed(column: str, texts: tuple[str, ...]) -> float:
    """A rule that says only which column, then its date ("amount, by write-off date"): the column is
    named whole by the rule's head. Scored as naming it whole; 0 otherwise.
    """
    parts = [p for p in _words(column) if p not in _PART_GLUE]
    for t in texts:
        head = re.split(r",?\s*\bby\b", t.lower(), maxsplit=1)
        if len(head) < 2 or len(head[1].split()) > 4 or not re.search(r"\b(date|day|month)\b", head[1]):
            continue  # only "<column>, by <a date>": a ratio's or another clause's words are not its head
        said = [w for w in _words(head[0]) if w not in _PART_GLUE and w not in {"the", "a", "an", "only"}]
        if said and len(said) == len(parts) and _in_order(parts, tuple(said)):
            return float(len(parts))
    return 0.0


def _in_order(parts: list[str], words: tuple[str, ...]) -> bool:
    """The column's parts said one after the other ("allocated spend"), not scattered ("the ticket was
    opened" does not name ``open_tickets``).
    """
    n = len(parts)
    words = tuple(w for w in words if w not in _PART_GLUE)  # "days to pay" names days_to_pay
    return any(
        all(_part_hit(p, (w,)) is not None for p, w in zip(parts, words[i : i + n], strict=True))
        for i in range(len(words) - n + 1)
    )


COUNT_PARTS = frozenset({"number", "count"})
"""Column parts that, followed by "of", are the definition counting rows ("number of …")."""


def columns_of(model: Model, sm: SemanticModel, columns: dict[str, dict[str, str]] | None) -> list[str]:
    """Numeric-looking columns of ``sm``'s table: measure columns, the canonical dataset's, the warehouse's."""
    found: dict[str, None] = {}
    for ms in sm.measures:
        if _IDENT.match(ms.expr):
            found[ms.expr] = None
    for ds in canonical(model).values():
        if ds.relation == sm.relation:
            found.update(dict.fromkeys(ds.core_attributes))
    known_types = (columns or {}).get(sm.relation) or {}
    for col, typ in known_types.items():
        if re.search(r"int|dec|num|double|float|real", typ, re.I):
            found[col] = None
    dims = {d.expr or d.name for d in sm.dimensions} | {e.expr for e in sm.entities}
    out = []
    for col in found:
        typ = known_types.get(col, "")
        if col in dims or _NOT_MEASURES.search(col):
            continue
        if typ and not re.search(r"int|dec|num|double|float|real", typ, re.I):
            continue
        out.append(col)
    return out


#: Words that say a row is open until it is paid ("unpaid invoices at month end", "outstanding balance").
OPEN_CUE = re.compile(r"\b(unpaid|outstanding|open|owed|receivables?|not (?:yet )?paid)\b", re.IGNORECASE)


def start_end(sm: SemanticModel, open_rows: bool = True) -> tuple[str, str] | None:
    """The (start, end) time columns of a model whose rows live over a period (a subscription); with
    ``open_rows`` an invoice lives from its issue until it is paid.
    """
    if sm.validity is not None:
        first, last = sm.validity
        return first.expr or first.name, last.expr or last.name
    exprs = [d.expr or d.name for d in sm.dimensions if d.type == "time"]
    start = _time_named(exprs, START_WORDS)
    end = _time_named(exprs, END_WORDS)
    if not (start and end) and open_rows:  # an invoice is open from its issue until it is paid
        start, end = _time_named(exprs, OPENED_WORDS), _time_named(exprs, CLOSED_WORDS)
    return (start, end) if start and end else None


def _time_named(exprs: list[str], words: tuple[str, ...]) -> str | None:
    """The first time column whose name, without its time suffix (``_at``, ``_ts``, ``_date`` …, in
    snake or camel case), is one of ``words`` (in their order).
    """
    stems_of = {e: bare_time_name(e) for e in exprs}
    return next((e for w in words for e in exprs if stems_of[e] == w), None)


def entities_named(model: Model, words: tuple[str, ...], lexicon: Lexicon) -> list[tuple[int, str]]:
    """(position, entity name) for each entity the words name ("customers", "accounts" → customer)."""
    names = {e.name for sm in model.semantic_models.values() for e in sm.entities}
    out: list[tuple[int, str]] = []
    for i, w in enumerate(words):
        if w in names:
            out.append((i, w))
            continue
        for entry in lexicon.lookup((w,)):
            if entry.kind == "dimension" and entry.source in ("synonym", "entity", "name"):
                head = entry.target.split("__", 1)[0]
                if head in names and entry.target.endswith("__name"):
                    out.append((i, head))
                    break
    return out


#: What a model loses when the words date by a time dimension another model has and it has not.
DATED_ELSEWHERE = 3.0
#: Occurrences, not who ("number of times people shared something"): rows are counted.
TIMES = re.compile(r"\b(number of|how many|count of|total) times\b", re.IGNORECASE)


def find_term(
    model: Model,
    text: str,
    context: str,
    lexicon: Lexicon,
    columns: dict[str, dict[str, str]] | None = None,
    dated: tuple[str, ...] = (),
) -> Term | None:
    """The aggregation ``text`` asks for, or None when the words do not say it clearly.

    Args:
        model: The project's model.
        text: The definition (or one side of a ratio).
        context: The definition and its rules together (they pick the semantic model by its values).
        lexicon: The resolver's lexicon of ``model``.
        columns: Optional warehouse columns per relation (``{relation: {column: type}}``).
        dated: Texts that may name a time dimension ("Date by payment date", the definition).
    """
    words = _words(text)
    every = _words(context)
    median = bool(MEDIAN_CUE.search(text))
    stat, fraction = statistic(text)  # "maximum", "p90": a statistic of a column, never a count
    averaged = bool(AVG_CUE.search(text)) or median or bool(stat)
    snapshot = bool(SNAPSHOT_CUE.search(context))
    counting = bool(COUNT_CUE.search(text)) and not averaged
    each_time = bool(TIMES.search(text))
    money = asks_money(model, text) and not counting
    named = entities_named(model, words, lexicon)
    if named and named[0][0] == 0 and not money and not averaged:
        counting = True  # "Customers who had recurring revenue …" counts customers
    surface = {words[i] for i, _ in named}  # "accounts" names the entity counted, not a dimension
    own_dims = _dims_named(tuple(w for w in every if w not in surface), lexicon)
    at = {i for i, _ in named[:1]}
    clause = {w for i, w in enumerate(words) if i not in at and w not in GLUE and w not in VERBS}
    if named:
        clause.discard(named[0][1])
    scored: list[tuple[float, Term]] = []
    valued = _values_beside_their_dimension(every, lexicon)
    dating = [_words(t) for t in dating_texts(dated)]
    dated_elsewhere = any(time_of(sm, d) for sm in model.semantic_models.values() for d in dating)
    for sm in model.semantic_models.values():
        primary = sm.primary
        keys = {e.name: e.expr for e in sm.entities}
        base = 0.0
        for w in set(_words(f"{sm.name} {sm.relation.rsplit('.', 1)[-1]}")) - GLUE - {"fct", "dim", "mart"}:
            if w in valued:
                continue  # "the events channel": a channel's value, not the events table
            if w in every and w not in {"canonical", "main"} and not (named and w == named[0][1]):
                base += 2.0
        base += 2.0 * own_dims.get(sm.name, 0)
        if any(ds.relation == sm.relation for ds in model.canonical_datasets.values()):
            base += 0.5  # the canonical registry: a certified table over a derived one
        base += min(2.0, 1.0 * len(_described(model, sm) & clause))
        span = start_end(sm, bool(OPEN_CUE.search(text)))
        if snapshot:
            if span is None:
                continue
            base += 1.0
        times = [time_of(sm, d) for d in dating]
        time_hit = next((t for t in times if t), None)
        time_name = time_hit[0] if time_hit else (sm.default_agg_time_dimension or "")
        if time_hit:
            base += 1.5
        elif dated_elsewhere:  # "allocated spend, by touch date": a date this model does not have, so it
            base -= DATED_ELSEWHERE  # could only be refused (the part would be dated otherwise)
        if not time_name and not snapshot:
            continue
        agg, expr, counted, why, strength = "", "", None, "", 0.0
        candidates = columns_of(model, sm, columns)
        plain = any(mentions(c, words) for c in candidates)  # a column the text names whole wins here
        cols = [
            (
                max(
                    float(mentions(c, words)),
                    _phrase_hits(model, sm, c, words) - 0.5,
                    0.0 if plain else _fuller(c, words, dated),
                    0.0 if plain else _headed(c, dated),
                ),
                c,
            )
            for c in candidates
        ]
        cols = [(n, c) for n, c in cols if n]
        head = named[0][1] if named else None
        if cols and named and head in keys and counting:  # "number of seats our customers pay for": seats
            first = max(cols, key=lambda x: (x[0], len(x[1])))[1]
            spots = [
                h for p in _words(first) if p not in _PART_GLUE and (h := _part_hit(p, words)) is not None
            ]
            if spots and min(spots) < named[0][0]:
                head = None
        if each_time and primary in keys and not averaged:  # "number of times people shared": each row once
            counted = primary
            agg, expr, strength = "count", keys[primary], 3.0
            why = f"count of {sm.relation.rsplit('.', 1)[-1]} rows (each time it happened)"
        elif cols and not (counting and head and head in keys and not averaged):
            n, col = max(cols, key=lambda x: (x[0], len(x[1])))
            agg = stat or ("median" if median else "average" if averaged else "sum")
            expr, strength = col, 1.0 + 2.0 * float(n)
            why = f"{agg}({col}): the definition names the column {col!r}"
        elif head and head in keys and counting and not money:
            counted = head
            if head == primary:
                # "accounts with product usage": the clause names another table that holds the entity
                # words the entity's own table already says (a flag's description: "The borrower's
                # first loan with us") point nowhere else
                mine = _own_words(model, sm)
                elsewhere = any(
                    other.name != sm.name
                    and head in {e.name for e in other.entities}
                    and (_described(model, other) & clause) - mine
                    for other in model.semantic_models.values()
                )
                agg, expr, strength = "count", keys[head], 1.0 if elsewhere else 3.0
                why = f"count of {sm.relation.rsplit('.', 1)[-1]} rows (one per {head})"
            else:
                agg, expr, strength = "count_distinct", keys[head], 1.5
                why = f"count_distinct({keys[head]}): each {head} once"
        else:
            continue
        scored.append(
            (
                base + strength,
                Term(sm.name, agg, expr, time_name, snapshot, why, 0.0, counted, time_hit is not None),
            )
        )
    if not scored:
        return _rows_of_values(model, own_dims, text, every, dated)
    scored.sort(key=lambda x: (-x[0], x[1].sm))
    top, term = scored[0]
    if len(scored) > 1 and scored[1][0] >= top:
        return None  # two models fit as well: do not guess
    # a copy of the same column in another table (a derived mart) is no rival reading
    rivals = [s for s, t in scored[1:] if (t.agg, t.expr) != (term.agg, term.expr)]
    margin = top - (rivals[0] if rivals else 0.0)
    conf = round(min(0.9, 0.5 + 0.1 * margin), 2)
    return Term(
        term.sm,
        term.agg,
        term.expr,
        term.time,
        term.snapshot,
        term.reason,
        conf,
        term.counted,
        term.time_named,
        fraction if term.agg == "percentile" else None,
    )


#: Rows counted because the words name only values of one table ("Dashboards created outside the web app"):
#: a reading a person checks.
ROWS_OF_VALUES = 0.65
#: A share, a rate or a per-thing: a ratio, never a count of rows.
RATIO_WORDS = re.compile(r"\b(share|rate|ratio|per|percent\w*|proportion|fraction|divided)\b", re.I)


def _rows_of_values(
    model: Model, own_dims: dict[str, int], text: str, every: tuple[str, ...], dated: tuple[str, ...]
) -> Term | None:
    """A count of one semantic model's rows when the definition names no column and no entity, but it and
    its rules name at least two of that model's own dimensions or values and no other model's ("Dashboards
    created" + "feature dashboards", "action create": events). None otherwise.
    """
    words = _words(text)
    if (
        AVG_CUE.search(text)
        or MEDIAN_CUE.search(text)
        or statistic(text)[0]
        or SNAPSHOT_CUE.search(" ".join(dated) or text)
        or RATIO_WORDS.search(text)
        or asks_money(model, text, len(words))
        or any(w in MONEY | {"equivalent", "recurring"} for w in words)
    ):
        return None  # money, a statistic, a snapshot or a ratio: never a count of rows
    named = {sm: n for sm, n in own_dims.items() if n}
    if len(named) != 1:
        return None
    home, hits = next(iter(named.items()))
    sm = model.semantic_models[home]
    keys = {e.name: e.expr for e in sm.entities}
    if hits < 2 or sm.primary not in keys or not sm.default_agg_time_dimension:
        return None
    times = [time_of(sm, _words(t)) for t in dating_texts(dated)]
    hit = next((t for t in times if t), None)
    table = sm.relation.rsplit(".", 1)[-1]
    return Term(
        sm.name,
        "count",
        keys[sm.primary],
        hit[0] if hit else sm.default_agg_time_dimension,
        False,
        f"count of {table} rows: the words name {hits} of its own dimensions or values and no column",
        ROWS_OF_VALUES,
        sm.primary,
        hit is not None,
    )


def _values_beside_their_dimension(words: tuple[str, ...], lexicon: Lexicon) -> set[str]:
    """Words said only as a value next to its dimension's name ("events channel", "channel events"):
    they name that value, never a table of the same name.
    """
    pairs: set[int] = set()
    for i, w in enumerate(words):
        dims = {
            e.target.partition("=")[0]
            for e in lexicon.lookup((w,))
            if e.kind == "value" and e.source == "value"
        }
        for j in (i - 1, i + 1):
            if not dims or not 0 <= j < len(words):
                continue
            named = {e.target for e in lexicon.lookup((words[j],)) if e.kind == "dimension"}
            if dims & named:
                pairs.add(i)
    return {words[i] for i in pairs} - {w for i, w in enumerate(words) if i not in pairs}


def _dims_named(words: tuple[str, ...], lexicon: Lexicon) -> dict[str, int]:
    """Semantic model → how many of its own dimensions or values the words name."""
    out: dict[str, int] = {}
    seen: set[str] = set()
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            key = words[i : i + size]
            if any(k in GLUE for k in key):
                continue
            entries = [
                e
                for e in lexicon.lookup(key)
                if e.kind in ("value", "dimension") and e.source not in ("entity", "head", "alias")
            ]
            if len({e.target.partition("=")[0] for e in entries}) != 1:
                continue  # a value of several dimensions ("Enterprise") says nothing about the model
            for entry in entries:
                dim = entry.target.partition("=")[0]
                info = lexicon.dims.get(dim)
                if info is None or dim in seen:
                    continue
                seen.add(dim)
                out[info.model] = out.get(info.model, 0) + 1
    return out


def _phrase_hits(model: Model, sm: SemanticModel, column: str, words: tuple[str, ...]) -> int:
    """Words of a label or synonym of a measure over ``column`` (or of its metrics) the text names in order."""
    best = 0
    same = [ms for other in model.semantic_models.values() for ms in other.measures]
    for ms in same:  # a column of the same name elsewhere means the same ("mrr")
        if ms.expr != column:
            continue
        phrases = [ms.label, ms.name.replace("_", " ")]
        for m in model.metrics.values():
            if m.measure is not None and m.measure.name == ms.name and not m.filter and not m.measure.filter:
                phrases += [re.sub(r"\(.*?\)", " ", m.label), *(str(s) for s in m.meta.get("synonyms") or ())]
        for p in phrases:
            key = [w for w in _words(p) if w not in GLUE]
            n = len(key)
            if n >= 2 and any(words[i : i + n] == tuple(key) for i in range(len(words) - n + 1)):
                best = max(best, n)
    return best


def _own_words(model: Model, sm: SemanticModel) -> set[str]:
    """Content words of a semantic model's description and of its own dimensions' names and descriptions."""
    out = _described(model, sm)
    for d in sm.dimensions:
        out.update(
            w for w in _words(f"{d.name.replace('_', ' ')} {d.description}") if w not in GLUE and len(w) > 2
        )
    return out


def _described(model: Model, sm: SemanticModel) -> set[str]:
    """Content words of a semantic model's description and of its canonical dataset's."""
    texts = [sm.description]
    texts += [ds.description for ds in model.canonical_datasets.values() if ds.relation == sm.relation]
    out: set[str] = set()
    for t in texts:
        out.update(w for w in _words(t) if w not in GLUE and len(w) > 2)
    return out
