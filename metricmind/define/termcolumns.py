"""Which columns, time columns, entities and dimensions of the catalog a definition's words name.

The word matching ``find_term`` (``metricmind.define.terms``) reads a definition with: a column's name parts
said in order (``mentions``, ``fuller``, ``headed``), the numeric columns of a table (``columns_of``), the
start and end columns a row lives between (``start_end``), the entities named (``entities_named``) and the
dimensions and values of each semantic model named (``dims_named``); pure and deterministic.
"""

from __future__ import annotations

import re

from metricmind.define.datasets import canonical
from metricmind.define.words import GLUE, bare_time_name, stems
from metricmind.resolve.lexicon import Lexicon
from metricmind.spec.model import Model, SemanticModel

#: Names (suffix removed) of the time columns a row lives between (a subscription by its start and end).
START_WORDS = ("started", "start", "starts", "valid_from", "begins", "began", "effective_from")
END_WORDS = ("ended", "end", "ends", "valid_to", "valid_until", "expires", "expired", "effective_to")
#: ... and of the columns a row is open between, when the definition asks for what is open or unpaid.
OPENED_WORDS = ("issued", "opened", "created", "raised", "submitted", "booked", "placed", "ordered")
CLOSED_WORDS = ("paid", "settled", "solved", "resolved", "closed", "delivered", "fulfilled", "shipped")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
#: Column name parts that say what a column is, not what it measures.
_NOT_MEASURES = re.compile(r"(_id|_at|_date|_name)$|^(is|has|was)_")
PART_GLUE = frozenset({"to", "of", "at", "in", "on", "per", "by"})
#: Parts of a column name that only say its unit ("discount_pct"): the rest of the name names it.
UNIT_PARTS = frozenset({"pct", "percent", "amt", "usd", "eur", "num", "qty", "cnt"})


def term_words(text: str) -> tuple[str, ...]:
    """The stemmed words of ``text`` (or of a column name: underscores and hyphens split words)."""
    return stems(text.lower().replace("-", " ").replace("_", " "))


def part_hit(part: str, words: tuple[str, ...]) -> int | None:
    """The position of the first word that is ``part`` or shares a prefix with it (3+ letters); else None."""
    for i, w in enumerate(words):
        if w == part or (len(part) >= 3 and (w.startswith(part) or (len(w) >= 4 and part.startswith(w)))):
            return i
    return None


def mentions(column: str, words: tuple[str, ...]) -> int:
    """How many parts of ``column`` the words name, all of them within a short window; else 0."""
    parts = [p for p in term_words(column) if p not in PART_GLUE]
    if len(parts) > 1 and any(p not in UNIT_PARTS for p in parts):  # "discount" names discount_pct
        parts = [p for p in parts if p not in UNIT_PARTS or part_hit(p, words) is not None]
    if not parts:
        return 0
    hits = [part_hit(p, words) for p in parts]
    hits = [  # "number of orders placed by buyers" counts rows: it names no buyer_order_number column
        None if h is not None and p in COUNT_PARTS and words[h + 1 : h + 2] == ("of",) else h
        for p, h in zip(parts, hits, strict=True)
    ]
    if any(h is None for h in hits):
        return 0
    spots = [h for h in hits if h is not None]
    return len(parts) if max(spots) - min(spots) <= len(parts) + 3 else 0


def fuller(column: str, words: tuple[str, ...], texts: tuple[str, ...]) -> float:
    """A column of several parts the text names only in part ("spend" of ``allocated_spend``) while a
    rule names it whole ("allocated spend, by touch date"): the rule says which column the word means.
    Scored as naming it whole; 0 when the text names none of its parts.
    """
    parts = [p for p in term_words(column) if p not in PART_GLUE and p not in UNIT_PARTS]
    if len(parts) < 2 or not any(part_hit(p, words) is not None for p in parts):
        return 0.0
    whole = any(_in_order(parts, term_words(t)) for t in texts)
    return float(len(parts)) if whole else 0.0


def headed(column: str, texts: tuple[str, ...]) -> float:
    """A rule that says only which column, then its date ("amount, by write-off date"): the column is
    named whole by the rule's head. Scored as naming it whole; 0 otherwise.
    """
    parts = [p for p in term_words(column) if p not in PART_GLUE]
    for t in texts:
        head = re.split(r",?\s*\bby\b", t.lower(), maxsplit=1)
        if len(head) < 2 or len(head[1].split()) > 4 or not re.search(r"\b(date|day|month)\b", head[1]):
            continue  # only "<column>, by <a date>": a ratio's or another clause's words are not its head
        said = [w for w in term_words(head[0]) if w not in PART_GLUE and w not in {"the", "a", "an", "only"}]
        if said and len(said) == len(parts) and _in_order(parts, tuple(said)):
            return float(len(parts))
    return 0.0


def _in_order(parts: list[str], words: tuple[str, ...]) -> bool:
    """The column's parts said one after the other ("allocated spend"), not scattered ("the ticket was
    opened" does not name ``open_tickets``).
    """
    n = len(parts)
    words = tuple(w for w in words if w not in PART_GLUE)  # "days to pay" names days_to_pay
    return any(
        all(part_hit(p, (w,)) is not None for p, w in zip(parts, words[i : i + n], strict=True))
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
OPEN_CUE = re.compile(
    r"\b(unpaid|outstanding|open|owed|receivables?|overdue|past[ -]due|un(?:delivered|resolved|solved|settled)|"
    rf"not (?:yet )?(?:{'|'.join(CLOSED_WORDS)}))\b",
    re.IGNORECASE,
)


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


#: Time suffixes ``words.bare_time_name`` leaves on ("booked_tstamp").
_MORE_TIME_SUFFIX = re.compile(r"_(tstamp|datetime|dttm)$", re.IGNORECASE)


def bare_date_name(name: str) -> str:
    """A date column's name without its time suffix (``booked_tstamp`` → ``booked``, ``due_at`` → ``due``)."""
    return _MORE_TIME_SUFFIX.sub("", bare_time_name(name))


def _time_named(exprs: list[str], words: tuple[str, ...]) -> str | None:
    """The first time column whose name, without its time suffix (``_at``, ``_ts``, ``_date`` …, in
    snake or camel case), is one of ``words`` (in their order).
    """
    stems_of = {e: bare_date_name(e) for e in exprs}
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


def values_beside_their_dimension(words: tuple[str, ...], lexicon: Lexicon) -> set[str]:
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


def dims_named(words: tuple[str, ...], lexicon: Lexicon) -> dict[str, int]:
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


def phrase_hits(model: Model, sm: SemanticModel, column: str, words: tuple[str, ...]) -> int:
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
            key = [w for w in term_words(p) if w not in GLUE]
            n = len(key)
            if n >= 2 and any(words[i : i + n] == tuple(key) for i in range(len(words) - n + 1)):
                best = max(best, n)
    return best


def own_words(model: Model, sm: SemanticModel) -> set[str]:
    """Content words of a semantic model's description and of its own dimensions' names and descriptions."""
    out = described(model, sm)
    for d in sm.dimensions:
        out.update(
            w
            for w in term_words(f"{d.name.replace('_', ' ')} {d.description}")
            if w not in GLUE and len(w) > 2
        )
    return out


def described(model: Model, sm: SemanticModel) -> set[str]:
    """Content words of a semantic model's description and of its canonical dataset's."""
    texts = [sm.description]
    texts += [ds.description for ds in model.canonical_datasets.values() if ds.relation == sm.relation]
    out: set[str] = set()
    for t in texts:
        out.update(w for w in term_words(t) if w not in GLUE and len(w) > 2)
    return out
