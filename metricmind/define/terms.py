"""What a definition aggregates, read from its words: a column (sum or average), an entity (count or
count distinct), the semantic model that holds it, its time dimension, and whether it is a month-end
snapshot. Used when no existing measure fits ("seats at month end", "distinct customers with a product
event", "average days late"); pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.define.currency import says_currency
from metricmind.define.money import MONEY, asks_money, money_measure
from metricmind.define.termcolumns import (
    OPEN_CUE,
    PART_GLUE,
    columns_of,
    described,
    dims_named,
    entities_named,
    fuller,
    headed,
    mentions,
    own_words,
    part_hit,
    phrase_hits,
    start_end,
    term_words,
    values_beside_their_dimension,
)
from metricmind.define.termdates import dating_texts, time_of
from metricmind.define.words import GLUE, POINT_IN_TIME
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.model import Model, SemanticModel

COUNT_CUE = re.compile(
    r"^\s*(the )?(total )?(number|count|how many|distinct|unique|different)\b|"
    r"\b(distinct|unique|number of|count of|how many|tally of)\b",
    re.I,
)
AVG_CUE = re.compile(
    r"\b(average|averaged(?= (?:over|across) (?:the |all |every |each )?(?!months?\b|quarters?\b|years?\b|weeks?\b|days?\b|periods?\b))|(?<!\bi )(?<!\bwe )(?<!\byou )(?<!\bthey )(?<!\bthat )mean(?! that| by| the)|avg)\b",
    re.I,
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
    state: bool = False  # a column of a daily snapshot read on the period's last day (``statecolumn``)


#: What a model loses when the words date by a time dimension another model has and it has not.
DATED_ELSEWHERE = 3.0
#: Occurrences, not who ("number of times people shared something"): rows are counted.
TIMES = re.compile(r"\b(number of|how many|count of|total) times\b", re.IGNORECASE)


def heads_named(named: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], int | None]:
    """The entities named that head their noun phrase ("trial subscriptions": the subscriptions, a trial
    only says which), and where the first phrase starts (its modifier's position).
    """
    at = {i for i, _ in named}
    heads = [(i, e) for i, e in named if i + 1 not in at]
    if not heads:
        return [], None
    start = heads[0][0]
    while start - 1 in at:
        start -= 1
    return heads, start


def _values_only(words: tuple[str, ...], lexicon: Lexicon) -> bool:
    """Every word before the entity that heads the definition names a value ("canceled" of "Canceled
    subscriptions"): the phrase still counts the entity (``find_term`` reads it so unless a money word
    asks for an amount of those rows: "Card invoices written off" + "amount, by write-off date").
    """
    return all(any(e.kind == "value" for e in lexicon.lookup((w,))) for w in words)


def find_term(
    model: Model,
    text: str,
    context: str,
    lexicon: Lexicon,
    columns: dict[str, dict[str, str]] | None = None,
    dated: tuple[str, ...] = (),
    valued_head: bool = False,
) -> Term | None:
    """The aggregation ``text`` asks for, or None when the words do not say it clearly.

    Args:
        model: The project's model.
        text: The definition (or one side of a ratio).
        context: The definition and its rules together (they pick the semantic model by its values).
        lexicon: The resolver's lexicon of ``model``.
        columns: Optional warehouse columns per relation (``{relation: {column: type}}``).
        dated: Texts that may name a time dimension ("Date by payment date", the definition).
        valued_head: Values said before the entity that heads the text still count it ("Canceled
            subscriptions"); only where no catalog metric was found to compute the words.
    """
    words = term_words(text)
    every = term_words(context)
    median = bool(MEDIAN_CUE.search(text))
    stat, fraction = statistic(text)  # "maximum", "p90": a statistic of a column, never a count
    averaged = bool(AVG_CUE.search(text)) or median or bool(stat)
    snapshot = bool(SNAPSHOT_CUE.search(context))
    counting = bool(COUNT_CUE.search(text)) and not averaged
    each_time = bool(TIMES.search(text))
    money = asks_money(model, text) and not counting
    currency = says_currency(text)
    named, opens = heads_named(entities_named(model, words, lexicon))
    leads = opens == 0 or (
        valued_head and opens is not None and _values_only(words[:opens], lexicon) and not MONEY & set(every)
    )
    if named and leads and not money and not averaged:
        counting = True  # "Customers who had recurring revenue …", "Canceled subscriptions" count them
    surface = {words[i] for i, _ in named}  # "accounts" names the entity counted, not a dimension
    own_dims = dims_named(tuple(w for w in every if w not in surface), lexicon)
    at = {i for i, _ in named[:1]}
    clause = {w for i, w in enumerate(words) if i not in at and w not in GLUE and w not in VERBS}
    if named:
        clause.discard(named[0][1])
    scored: list[tuple[float, Term]] = []
    valued = values_beside_their_dimension(every, lexicon)
    dating = [term_words(t) for t in dating_texts(dated)]
    dated_elsewhere = any(time_of(sm, d) for sm in model.semantic_models.values() for d in dating)
    for sm in model.semantic_models.values():
        primary = sm.primary
        keys = {e.name: e.expr for e in sm.entities}
        base = 0.0
        for w in (
            set(term_words(f"{sm.name} {sm.relation.rsplit('.', 1)[-1]}")) - GLUE - {"fct", "dim", "mart"}
        ):
            if w in valued:
                continue  # "the events channel": a channel's value, not the events table
            if w in every and w not in {"canonical", "main"} and not (named and w == named[0][1]):
                base += 2.0
        base += 2.0 * own_dims.get(sm.name, 0)
        if any(ds.relation == sm.relation for ds in model.canonical_datasets.values()):
            base += 0.5  # the canonical registry: a certified table over a derived one
        base += min(2.0, 1.0 * len(described(model, sm) & clause))
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
                    phrase_hits(model, sm, c, words) - 0.5,
                    0.0 if plain else fuller(c, words, dated),
                    0.0 if plain else headed(c, dated),
                ),
                c,
            )
            for c in candidates
        ]
        cols = [(n, c) for n, c in cols if n]
        head = named[0][1] if named else None
        if not cols and money and currency and head and head == primary:
            cols = _only_money_column(sm)  # "Applications, $, by month": their one amount
        if cols and named and head in keys and counting:  # "number of seats our customers pay for": seats
            first = max(cols, key=lambda x: (x[0], len(x[1])))[1]
            spots = [
                h for p in term_words(first) if p not in PART_GLUE and (h := part_hit(p, words)) is not None
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
                mine = own_words(model, sm)
                elsewhere = any(
                    other.name != sm.name
                    and head in {e.name for e in other.entities}
                    and (described(model, other) & clause) - mine
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
        return _rows_of_values(model, own_dims, text, every, dated, [e for _, e in named])
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


def _only_money_column(sm: SemanticModel) -> list[tuple[float, str]]:
    """The one column ``sm``'s measures sum as money, as a column named in passing; [] when none or several."""
    found = {str(ms.expr or ms.name).strip() for ms in sm.measures if money_measure(ms)}
    return [(0.5, found.pop())] if len(found) == 1 else []


#: Rows counted because the words name only values of one table ("Dashboards created outside the web app"):
#: a reading a person checks.
ROWS_OF_VALUES = 0.65
#: A share, a rate or a per-thing: a ratio, never a count of rows.
RATIO_WORDS = re.compile(r"\b(share|rate|ratio|per|percent\w*|proportion|fraction|divided)\b", re.I)


def _rows_of_values(
    model: Model,
    own_dims: dict[str, int],
    text: str,
    every: tuple[str, ...],
    dated: tuple[str, ...],
    entities: list[str] = (),  # type: ignore[assignment]
) -> Term | None:
    """A count of one semantic model's rows when the definition names no column and no entity, but it and
    its rules name at least two of that model's own dimensions or values and no other model's ("Dashboards
    created" + "feature dashboards", "action create": events). None otherwise.
    """
    words = term_words(text)
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
    times = [time_of(sm, term_words(t)) for t in dating_texts(dated)]
    hit = next((t for t in times if t), None)
    table = sm.relation.rsplit(".", 1)[-1]
    who = next((e for e in entities if e in keys and e != sm.primary), None)
    if who is not None:  # "Monthly integrations users": the users of those rows, each once
        return Term(
            sm.name,
            "count_distinct",
            keys[who],
            hit[0] if hit else sm.default_agg_time_dimension,
            False,
            f"count_distinct({keys[who]}) of {table} rows: the words name {hits} of its own dimensions or "
            f"values and its {who}s",
            ROWS_OF_VALUES,
            who,
            hit is not None,
        )
    if entities:
        return None  # the words name an entity these rows do not hold: no count of rows
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
