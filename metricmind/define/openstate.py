"""A state over history of rows open between two dates ("invoices overdue at each month end", "unpaid
invoices at month end, not written off"), judged by the rows' own dates as of each month's last day, never
by today's status column.

The month-end snapshot model (``newmodel.snapshot_model``) keeps a row on a month's last day when it was
opened by then and not yet closed (an invoice: issued, not yet paid). This module reads what the words add
to that state, from the catalog's and the warehouse's own date columns:

- *overdue* ("overdue", "past due"): the row's due date (a date column named ``due``: ``due_at``,
  ``due_date``) is before that day;
- *also closed by* another date the words say is not reached ("not written off by then", "until it is paid
  or written off"): a date column of the table whose name the words say in a negated clause; said without
  a negation ("written-off invoices stay open"), the state is unclear and the rule is marked unread;
- rules that only restate the state by those dates ("Overdue on a date = issued by then, due before that
  date, not paid by then", "Judge it as of each month's last day, not by the invoice's status today") are
  covered.

Pure and deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from metricmind.define.proposal import RuleReading
from metricmind.define.rulevalues import Read
from metricmind.define.termcolumns import bare_date_name, start_end
from metricmind.define.terms import Term
from metricmind.define.words import GLUE, content
from metricmind.spec.model import Model, SemanticModel

#: Words that ask for rows past their due date at the snapshot day.
OVERDUE_CUE = re.compile(r"\b(overdue|past[ -]due)\b", re.IGNORECASE)
#: The bare name of a due-date column.
DUE_WORDS = ("due", "promised", "deadline")
#: A clause that says a date is not reached ("not written off by then", "until paid or written off").
_NEGATED = re.compile(
    r"\b(not|never|no|nor|without|unless|until|till|excluding|exclude[sd]?|except)\b|n't\b", re.I
)
#: Words a rule uses to say when and how a state is judged, beside the dates' own names.
_JUDGING = frozenset(
    """
    date dates day days month months last end then that time before after by on or and as of each every
    judge judged judging status today current currently now state counts count counted means mean meaning
    equals yet still already point period snapshot taken reached any
    """.split()
)
#: The snapshot model's SQL says so when other dates close a row (no doubt about written-off rows then).
CLOSED_ALSO = "-- Closed also by:"
#: ... and when a due date passed makes a row overdue.
OVERDUE_SAID = "-- Overdue:"
#: ... and between which dates a row is open (an invoice from its issue until its payment).
OPEN_SAID = "-- Open from"


def state_lines(sql: str) -> list[str]:
    """The lines of a snapshot model's SQL that say what the words added to its state (what they explain)."""
    return [line for line in sql.splitlines() if line.startswith((CLOSED_ALSO, OVERDUE_SAID, OPEN_SAID))]


#: Words that say when a state is judged: a rule restating the state says one of them.
_WHEN = frozenset(
    "then date dates day days today current currently now yet still before after last end".split()
)
#: A date compared this way is a type the warehouse reports for date columns.
_DATE_TYPE = re.compile(r"date|time", re.IGNORECASE)


@dataclass(frozen=True)
class OpenState:
    """What the words add to the open-rows snapshot of a semantic model."""

    due: str = ""  # the due-date column when the words say overdue
    closers: tuple[str, ...] = ()  # other date columns that close a row, as the words say
    unclear: tuple[str, ...] = ()  # texts naming a closing date without saying it closes the row


def date_columns(sm: SemanticModel, columns: dict[str, dict[str, str]] | None) -> list[str]:
    """The table's date columns: its time dimensions' columns, then the warehouse's date columns."""
    out = [d.expr or d.name for d in sm.dimensions if d.type == "time"]
    for col, typ in ((columns or {}).get(sm.relation) or {}).items():
        if _DATE_TYPE.search(typ) and col not in out:
            out.append(col)
    return out


def state_of(
    sm: SemanticModel,
    span: tuple[str, str],
    text: str,
    rules: tuple[str, ...],
    columns: dict[str, dict[str, str]] | None,
) -> OpenState | str:
    """The state ``text`` (the part's words) and ``rules`` ask of ``sm``'s rows open over ``span``; a
    string says why it cannot be read (overdue asked, and the table has no due date).
    """
    dates = date_columns(sm, columns)
    due = ""
    if OVERDUE_CUE.search(" ".join((text, *rules))) and OVERDUE_CUE.search(text):
        due = next((c for c in dates if bare_date_name(c) in DUE_WORDS), "")
        if not due:
            return f"{sm.name} has no due date, so which rows were overdue at a month's end is not known"
    closers: list[str] = []
    unclear: list[str] = []
    for col in dates:
        if col in (*span, due):
            continue
        words = bare_date_name(col).split("_")
        if not words or words in (["created"], ["updated"], ["loaded"]):
            continue
        for said in (text, *rules):
            for clause in re.split(r"[,;.:]|\band\b", said):
                hit = _phrase(clause, words)
                if hit is None:
                    continue
                if _NEGATED.search(clause[:hit]):
                    if col not in closers:
                        closers.append(col)
                elif said not in unclear:
                    unclear.append(said)
    return OpenState(due, tuple(closers), tuple(u for u in unclear if u))


def _phrase(clause: str, words: list[str]) -> int | None:
    """Where ``words`` (a column's name parts) are said in order in ``clause`` ("written off",
    "written-off"), or None.
    """
    pattern = r"\b" + r"[\s-]+".join(re.escape(w) for w in words) + r"\b"
    m = re.search(pattern, clause, re.IGNORECASE)
    return m.start() if m else None


def state_sql(state: OpenState, day: str) -> list[str]:
    """The conditions the state adds to a row live on ``day`` (SQL of the snapshot's ``live`` join)."""
    out = [f"(source.{c} is null or source.{c} > {day})" for c in state.closers]
    if state.due:
        out.append(f"source.{state.due} < {day}")
    return out


def state_words(model: Model, sm: SemanticModel, span: tuple[str, str], state: OpenState) -> set[str]:
    """Words that only say the state by its dates: the dates' names, the entity's, the state cues."""
    out = set(_JUDGING) | set(GLUE)
    for col in (*span, state.due, *state.closers):
        if col:
            out.update(content(bare_date_name(col).replace("_", " ")))
            out.update(bare_date_name(col).split("_"))
    for e in sm.entities:
        out.update(content(e.name.replace("_", " ")))
    out.update(content(sm.name.replace("_", " ")))
    out.update({"overdue", "past", "due", "open", "unpaid", "outstanding", "owed", "issued", "paid", "live"})
    return out


def restates(rule: str, words: set[str]) -> bool:
    """``rule`` only restates the state by its dates (every content word is a word of the state)."""
    said = [w for w in re.findall(r"[a-z]+", rule.lower()) if len(w) > 1]
    return (
        bool(said)
        and all(w in words or w.rstrip("s") in words for w in said)
        and bool(set(said) & _WHEN)  # it says when the state is judged ("by then", "as of … last day")
        and bool(set(content(rule)) & words - _JUDGING - set(GLUE))
    )


def state_readings(
    rules: list[RuleReading], model: Model, sm: SemanticModel, span: tuple[str, str], state: OpenState
) -> list[RuleReading]:
    """``rules`` as read, each that restates the state by its dates covered, each naming a closing date
    without saying it closes the row unread.
    """
    words = state_words(model, sm, span, state)
    out = []
    for r in rules:
        if r.text in state.unclear:
            out.append(
                RuleReading(
                    r.text,
                    "unread",
                    0.1,
                    "names a date of the rows without saying whether it closes them (still open, or not?)",
                )
            )
        elif r.status != "filter" and restates(r.text, words):
            said = ", ".join(c for c in (state.due, *span, *state.closers) if c)
            out.append(
                RuleReading(
                    r.text,
                    "covered",
                    0.75,
                    f"a state over history: judged by the rows' own dates ({said}) as of each month's last "
                    "day, not by today's status",
                )
            )
        else:
            out.append(r)
    return out


def open_state(
    model: Model, term: Term, text: str, rules: list[str], columns: dict[str, dict[str, str]] | None
) -> OpenState | str | None:
    """The state a month-end ``term`` of rows open between two dates asks for (None for rows that live
    between a start and an end, or no snapshot); a string says why it cannot be read.
    """
    if not term.snapshot:
        return None
    sm = model.semantic_models[term.sm]
    span = start_end(sm)
    if span is None or start_end(sm, False) is not None:
        return None
    state = state_of(sm, span, text, tuple(rules), columns)
    if isinstance(state, str) or state != OpenState():
        return state
    return None


def judged(reads: list[Read], model: Model, term: Term, state: OpenState) -> list[Read]:
    """``reads`` of a month-end snapshot of open rows: the rules that restate the state by its dates
    covered (``state_readings``), and a filter on today's state of a date the span judges ("not yet
    delivered" read as ``parcel_status != 'delivered'``, "unpaid" as ``is_paid = false``) covered when it
    says the row is not closed, unread when it keeps closed rows (the snapshot holds only open ones).
    """
    sm = model.semantic_models[term.sm]
    span = start_end(sm)
    if span is None or start_end(sm, False) is not None:
        return reads
    new = state_readings([r.reading for r in reads], model, sm, span, state)
    out = [r if n is r.reading else Read(n) for r, n in zip(reads, new, strict=True)]
    return [_today(r, span, state) for r in out]


def _today(read: Read, span: tuple[str, str], state: OpenState) -> Read:
    """``read`` unless it filters today's state of a date the snapshot judges by (``judged``)."""
    if read.reading.status != "filter" or not read.dimension:
        return read
    closing = {bare_date_name(c) for c in (span[1], *state.closers)}
    tail = read.dimension.rsplit("__", 1)[-1]
    flag = re.sub(r"^(is|has|was)_", "", tail)
    if flag != tail and flag in closing:  # is_paid = false: not paid
        values = {v.lower() for v in read.values}
        open_kept = (values <= {"false", "0", "no"}) != read.negative
    elif {v.lower() for v in read.values} & closing and len(read.values) == 1:  # status != 'delivered'
        open_kept = read.negative
    else:
        return read
    text = read.reading.text
    if open_kept:
        return Read(
            RuleReading(
                text,
                "covered",
                0.75,
                f"a state over history: the snapshot keeps rows not {span[1]} by each month's last day, "
                f"not by today's {tail}",
            )
        )
    return Read(
        RuleReading(
            text,
            "unread",
            0.1,
            f"keeps rows {tail} today, but the month-end snapshot holds rows still open then (by {span[1]})",
        )
    )
