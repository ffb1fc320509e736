"""Rules that date a metric: the time dimension a rule names ("Date by payment date", "by signup month",
"First paid date falls in the month"), matched against the closest metric's own time dimensions and, when
a rule names one more fully, every time dimension of the catalog (``catalog_time_dims``).
"""

from __future__ import annotations

import re

from metricmind.define.dating import DATE_WHEN, EVENT_IN, WHEN_COUNTED, dated_forms
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.rulevalues import Context, contains
from metricmind.define.termdates import verb_hit
from metricmind.define.words import stems
from metricmind.spec.model import Model

TIME = re.compile(
    r"^\s*(the )?(month|date|day) (is|of)\b|\b(the )?month is the month\b|"
    r"\b(date[sd]? by|dated by|counted on|by (the )?(month|day|date) of|by|"
    r"(date|day) (falls?|fell|lands?|landed|is|was|happens?|happened|occurs?|occurred) (in|within|during))\b",
    re.IGNORECASE,
)


def _root(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def time_in(text: str, ctx: Context) -> str | None:
    """The time dimension a definition names ("… by touch date"), if any."""
    low = text.lower()
    found = time_rule(low, stems(low), ctx)
    if found is None:  # "subscriptions started in the month", "invoices counted when they were paid"
        found = next(
            (
                t
                for alt in dated_forms(re.split(r",?\s+\bnot\b", low)[0], (EVENT_IN, DATE_WHEN, WHEN_COUNTED))
                if not is_own_event(alt, ctx) and (t := time_rule(alt, stems(alt), ctx))
            ),
            None,
        )
    return found


def is_own_event(alt: str, ctx: Context) -> bool:
    """The event a "month the customer churned" names is what the closest metric itself counts (its name
    says it: `churned_mrr`): its own time dimension dates it, not another model's.
    """
    said = {_root(w) for w in stems(alt) if w not in ("date", "by", "at")}
    own = {_root(w) for w in stems(ctx.own_name.lower().replace("_", " "))}
    return bool(said & own)


def time_rule(low: str, words: tuple[str, ...], ctx: Context, *, wide: bool = True) -> str | None:
    """The time dimension a rule ``low`` (its stems ``words``) dates the metric by ("counted on the paid
    date"), the longest phrase naming it; with ``wide``, a catalog time dimension may name it too. None for none.
    """
    low = re.split(r",?\s+\bnot\b", low)[0]  # "by conversion date, not touch date"
    words = tuple(
        "date" if w == "day" else w for w in stems(low.replace("-", " ").replace("_", " "))
    )  # "first paid day" is the first paid date
    if not TIME.search(low) or not re.search(r"\b(date|dated|month|day|counted on)\b", low):
        return None
    best: tuple[int, str] | None = None
    for name, phrases in ctx.time_dims.items():
        for p in phrases:
            if p and contains(words, p) and (best is None or len(p) > best[0]):
                best = (len(p), name)
    monthly = tuple("date" if w == "month" else w for w in words)  # "by signup month": its signup date
    for name, phrases in ctx.time_dims.items():
        for p in phrases:
            if len(p) > 1 and contains(monthly, p) and (best is None or len(p) > best[0]):
                best = (len(p), name)
    # "First paid date falls in the month" on a month-end snapshot: "month" names its month_start, but the
    # rule names the catalog's first_paid_date more fully; the date it names wins (the metric is then not
    # dated by it, and the caller says so or builds a measure that is), never the generic "month".
    for name, phrases in catalog_time_dims(ctx.model).items() if wide else ():
        for p in phrases:
            if (
                len(p) > 1
                and (contains(words, p) or contains(monthly, p))
                and (best is None or len(p) > best[0])
            ):
                best = (len(p), name)
    return best[1] if best else None


_CATALOG_TIMES: dict[int, tuple[Model, dict[str, tuple[tuple[str, ...], ...]]]] = {}


def catalog_time_dims(model: Model) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Every time dimension of the catalog with the phrases (stems) naming it (cached per model)."""
    hit = _CATALOG_TIMES.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    out: dict[str, set[tuple[str, ...]]] = {}
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            if d.type == "time":
                phrases = {stems(d.name.replace("_", " ")), stems(d.label)}
                phrases |= {stems(str(s)) for s in d.meta.get("synonyms") or ()}
                out.setdefault(d.name, set()).update(p for p in phrases if p)
    found = {k: tuple(sorted(v)) for k, v in out.items()}
    _CATALOG_TIMES.clear()
    _CATALOG_TIMES[id(model)] = (model, found)
    return found


#: A dating clause that names its date: "by the settlement date", "by settle day", "dated by X".
BY_DATE = re.compile(
    r"\b(?:dated |counted |date[sd]? )?by (?:the |their |its )?(?P<what>(?:[a-z-]+ ){1,3}?)(?:date|day)\b"
)
#: Words of a dating clause that name no event.
_NO_EVENT = frozenset(
    "the their its a an of each every calendar same actual actually real date day month".split()
)


def unnamed_date(text: str, model: Model, extra: tuple[str, ...] = ()) -> str | None:
    """The date a dating clause of ``text`` names when no time dimension of the catalog (nor one of
    ``extra``, the names of new time dimensions) is that date ("by the date the invoice was settled":
    'settled'); None when the text names none or names a known one.
    """
    low = text.lower()
    head = re.split(r",?\s+\bnot\b", low)[0]  # "…, not its scheduled end date" is the date not meant
    said: list[tuple[str, ...]] = []
    for m in BY_DATE.finditer(head):
        said.append(tuple(w for w in stems(m.group("what").replace("-", " ")) if w not in _NO_EVENT))
    for alt in dated_forms(head):
        said.append(tuple(w for w in stems(alt) if w not in _NO_EVENT | {"by", "at"}))
    said = [s for s in said if s]
    if not said:
        return None
    phrases = [p for ps in catalog_time_dims(model).values() for p in ps]
    phrases += [stems(n.replace("_", " ")) for n in extra]
    for words in said:
        for p in phrases:
            key = [k for k in p if k not in _NO_EVENT | {"at", "on"}]
            if key and all(verb_hit(k, words) for k in key):
                return None
    return " ".join(said[0])


def flag_unnamed_date(proposal: Proposal, model: Model, text: str) -> None:
    """An unread item when the definition counts by a date no time dimension is ("… by the date the
    invoice was settled"): the metric would be dated by its own date in silence otherwise.
    """
    if proposal.metric is None:
        return
    extra = tuple(
        str(n)
        for nd in proposal.new_dimensions
        for n in (
            nd.dimension["name"],
            *((nd.dimension.get("config") or {}).get("meta", {}).get("synonyms") or ()),
        )
    )
    missing = unnamed_date(text, model, extra)
    if missing is None:
        return
    dated = proposal.time_dimension.name if proposal.time_dimension else "its measure's own date"
    proposal.rules.append(
        RuleReading(
            f"(in the definition) {text}",
            "unread",
            0.1,
            f"counts by a {missing!r} date, which no time dimension of the catalog is (the metric would be "
            f"dated by {dated}); name a date the catalog has, or declare it",
        )
    )
