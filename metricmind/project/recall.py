"""Readings as memory keeps them, and how a remembered reading replaces the resolver's.

A **reading** is what the resolver made of a question, without the dates it computed for the day it was
asked: ``{"answerable", "metrics", "group_by", "filters", "order_by", "limit", "comparison",
"time_range"}`` (the ``ask --json`` shapes). Its **signature** leaves out ``time_range``, so a reading
corrected in March is recognised in June. Episodes store the reading (JSON) in ``reading``; a reflexion
note stores the corrected reading in ``wrong`` and the right one in ``fix``.

A note or a skill is used only when it is safe to: a note when the resolver makes the same mistake
again (the same signature of an answerable reading) on a similar question, or fails (refuses, asks
back, or leaves words unexplained) on a question that says nothing more than the corrected one; a
skill (a confirmed reading) when the resolver reads the same, or fails on such a question. A question with a catalog word the remembered one lacks ("… in
EMEA") is never answered from memory unless the resolver read it the same way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import threading
import weakref
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rapidfuzz import fuzz

from metricmind.errors import QueryError
from metricmind.learn import schema
from metricmind.learn.memory import Memory
from metricmind.learn.similarity import WORD, LexicalIndex, tokens
from metricmind.resolve import Filter, Resolution
from metricmind.spec.model import Grain
from metricmind.spec.names import SEP

PARTS = ("metrics", "group_by", "filters", "order_by", "limit", "comparison")
GRAINS = frozenset(g.value for g in Grain)
TIME_WORDS = frozenset(
    "last this next past previous prior current today yesterday day week month quarter year ytd mtd qtd wtd "
    "daily weekly monthly quarterly yearly since until ago so far date h1 h2 q1 q2 q3 q4 now".split()
)
FILLER = frozenset(
    "how what whats who whom whose which where why when s is are am be been being do does did doing done "
    "have has had having our we us you your i my it its they their there these those that this please "
    "tell give show get got going go look looking like much many number numbers figure figures can could "
    "would should will shall just now about at all any some so as up out".split()
)
SAME_READING_SCORE = 70.0
"""Similarity (0–100, rapidfuzz token-set ratio of the content words) above which a note corrects the
same wrong reading of a similar question."""
FAILED_READING_SCORE = 75.0
"""Similarity above which a remembered reading answers a question the resolver could not read."""


@dataclass
class Recalled(Resolution):
    """A resolution that memory answered or confirmed; ``memory`` says which note or skill, and why."""

    memory: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The ``ask --json`` shape plus ``memory``."""
        out = super().to_dict()
        out["memory"] = dict(self.memory)
        return out


def reading_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The reading of a resolution (its ``to_dict()``), dates kept under ``time_range``."""
    if not data.get("answerable") or data.get("analysis"):
        return {"answerable": False, "analysis": bool(data.get("analysis"))}
    out: dict[str, Any] = {"answerable": True}
    for part in PARTS:
        out[part] = data.get(part)
    out["filters"] = sorted(out["filters"] or [], key=lambda f: json.dumps(f, sort_keys=True))
    out["time_range"] = data.get("time_range")
    return out


def signature(reading: Mapping[str, Any]) -> str:
    """The reading without its dates, as canonical JSON (what a note's ``wrong`` is compared by)."""
    keep = {k: reading.get(k) for k in ("answerable", *PARTS)}
    return json.dumps(keep, sort_keys=True, default=str)


def reading_from_query(query: Mapping[str, Any]) -> dict[str, Any]:
    """The reading of a metric query (the ``query`` of ``ask --json``, or a whole ``ask --json`` answer).

    Filters must be written as the resolver writes them (``{{ Dimension('customer__region') }} =
    'EMEA'``, ``… IN ('a', 'b')``, ``{{ Metric('mrr', group_by=['customer']) }} > 5000``).

    Raises:
        QueryError: no metrics, or a filter in another form.
    """
    if "answerable" in query and "query" in query:  # a whole resolution
        return reading_of(query)
    metrics = _names(query.get("metrics"))
    if not metrics:
        raise QueryError(
            "the corrected query names no metrics",
            hint='Pass the right query, e.g. {"metrics": ["mrr"], "group_by": ["customer__region"]}.',
        )
    group_by = []
    for name in _names(query.get("group_by")):
        head, _, last = name.rpartition(SEP)
        group_by.append(
            {"name": head, "grain": last} if head and last in GRAINS else {"name": name, "grain": None}
        )
    order_by = [{"name": o.lstrip("-"), "desc": o.startswith("-")} for o in _names(query.get("order_by"))]
    start, end = query.get("start"), query.get("end")
    reading: dict[str, Any] = {
        "answerable": True,
        "metrics": metrics,
        "group_by": group_by,
        "filters": sorted(
            (parse_filter(w) for w in _names(query.get("where"))), key=lambda f: json.dumps(f, sort_keys=True)
        ),
        "order_by": order_by,
        "limit": int(query["limit"]) if query.get("limit") is not None else None,
        "comparison": query.get("comparison"),
        "time_range": {"start": str(start), "end": str(end)} if start and end else None,
    }
    return reading


def query_of(reading: Mapping[str, Any]) -> dict[str, Any]:
    """The ``MetricQuery.build`` arguments of a reading."""
    rng = reading.get("time_range") or {}
    return {
        "metrics": list(reading["metrics"]),
        "group_by": [g["name"] + (SEP + g["grain"] if g.get("grain") else "") for g in reading["group_by"]],
        "where": [filter_of(f).where() for f in reading.get("filters") or []],
        "start": rng.get("start"),
        "end": rng.get("end"),
        "order_by": [("-" if o["desc"] else "") + o["name"] for o in reading.get("order_by") or []],
        "limit": reading.get("limit"),
    }


_DIM = r"\{\{\s*Dimension\('(?P<field>[\w.]+)'\)\s*\}\}"
_VALUE = r"'(?P<value>(?:[^']|'')*)'"
_FILTERS = (
    re.compile(rf"^{_DIM}\s*(?P<op>=|<>|!=|>=|<=|>|<)\s*{_VALUE}$"),
    re.compile(rf"^{_DIM}\s+(?P<op>IN|NOT IN)\s*\((?P<values>.*)\)$", re.IGNORECASE),
    re.compile(
        r"^\{\{\s*Metric\('(?P<metric>\w+)',\s*group_by=\['(?P<field>[\w.]+)'\]\)\s*\}\}"
        r"\s*(?P<op>>=|<=|>|<|=)\s*(?P<value>-?[\d.]+)$"
    ),
)


def parse_filter(where: str) -> dict[str, Any]:
    """A ``where`` string in the resolver's forms → the ``ask --json`` filter shape.

    Raises:
        QueryError: another form.
    """
    text = where.strip()
    for pattern in _FILTERS:
        m = pattern.match(text)
        if m is None:
            continue
        found = m.groupdict()
        if found.get("metric"):
            return {
                "metric": found["metric"],
                "group_by": [found["field"]],
                "op": found["op"],
                "value": float(found["value"]),
            }
        if found.get("values") is not None:
            values = [v.replace("''", "'") for v in re.findall(r"'((?:[^']|'')*)'", found["values"])]
            return {"field": found["field"], "op": found["op"].lower(), "values": values}
        op = "!=" if found["op"] == "<>" else found["op"]
        return {"field": found["field"], "op": op, "value": found["value"].replace("''", "'")}
    raise QueryError(
        f"the filter {where!r} of the corrected query is not in a form memory keeps",
        hint="Write it as {{ Dimension('customer__region') }} = 'EMEA', {{ Dimension('x') }} IN ('a', 'b') "
        "or {{ Metric('mrr', group_by=['customer']) }} > 5000.",
    )


def filter_of(data: Mapping[str, Any]) -> Filter:
    """The resolver's ``Filter`` of an ``ask --json`` filter."""
    if data.get("metric"):
        return Filter(str(data["group_by"][0]), str(data["op"]), (str(data["value"]),), str(data["metric"]))
    values = data.get("values") if data.get("values") is not None else [data.get("value")]
    return Filter(str(data["field"]), str(data["op"]), tuple(str(v) for v in values or []))


def content(text: str) -> list[str]:
    """The words of a question that carry its meaning (no stop words, no time words)."""
    out: list[str] = []
    for word in WORD.findall(text.lower()):
        if word not in TIME_WORDS and word not in FILLER and not word.isdigit():
            out.extend(t for t in tokens(word) if t not in TIME_WORDS and t not in FILLER)
    return out


def similarity(a: str, b: str, *, strict: bool = False) -> float:
    """0–100: how alike two questions are, by their content words (order ignored).

    Loose (rapidfuzz's token-set ratio: one question's words inside the other's score 100) for a
    question the resolver read the same way; ``strict`` (token-sort ratio: every word counts) for one
    it could not read.
    """
    ta, tb = " ".join(content(a)), " ".join(content(b))
    if not ta or not tb:
        return 0.0
    return float(fuzz.token_sort_ratio(ta, tb) if strict else fuzz.token_set_ratio(ta, tb))


def says_more(question: str, remembered: str, catalog_words: Collection[str]) -> bool:
    """Whether ``question`` has a catalog word ``remembered`` lacks (then its reading may differ)."""
    known = set(content(remembered))
    extra = {w for w in content(question) if w not in known}
    return any(w in catalog_words or f"{w}s" in catalog_words for w in extra)


UNSURE = 0.8
"""Below this confidence a reading left words unexplained (docs/ask.md#confidence): memory may answer."""


def failed(res: Resolution) -> bool:
    """Whether the resolver could not read the question: a refusal, a question back, or a reading that
    left words unexplained (confidence below ``UNSURE``).
    """
    return not res.answerable or res.clarify is not None or res.confidence < UNSURE


def replaced(
    res: Resolution, reading: Mapping[str, Any], wrong: Mapping[str, Any] | None, memory: dict[str, Any]
) -> Recalled:
    """``res`` answered with ``reading`` instead (dates: the question's own, unless the correction changed
    them); ``memory`` says where the reading came from.
    """
    keep_time = res.time_range is not None and (
        wrong is None or wrong.get("time_range") == reading.get("time_range") or not reading.get("time_range")
    )
    rng = reading.get("time_range")
    time_range = (
        res.time_range
        if keep_time or not rng
        else (dt.date.fromisoformat(rng["start"]), dt.date.fromisoformat(rng["end"]))
    )
    comparison = reading.get("comparison")
    spans = {k: v for k, v in res.spans.items() if k in ("time_range", "comparison")} if keep_time else {}
    note = memory_note(memory)
    base = {f.name: getattr(res, f.name) for f in dataclasses.fields(Resolution)}
    base.update(
        answerable=True,
        reason=None,
        metrics=list(reading["metrics"]),
        group_by=[(g["name"], g.get("grain")) for g in reading["group_by"]],
        time_range=time_range,
        time_unit=res.time_unit if keep_time else None,
        filters=[filter_of(f) for f in reading.get("filters") or []],
        order_by=[(o["name"], bool(o["desc"])) for o in reading.get("order_by") or []],
        limit=reading.get("limit"),
        comparison=comparison,
        comparison_range=res.comparison_range if keep_time and comparison == res.comparison else None,
        spans=spans,
        confidence=max(res.confidence, 0.9),
        nearest=[],
        notes=[note],
        clarify=None,
        analysis=None,
    )
    return Recalled(**base, memory=memory)


def confirmed(res: Resolution, memory: dict[str, Any]) -> Recalled:
    """``res`` as it is, saying that memory holds a confirmed answer with the same reading."""
    base = {f.name: getattr(res, f.name) for f in dataclasses.fields(Resolution)}
    base["notes"] = [*res.notes, memory_note(memory)]
    return Recalled(**base, memory=memory)


def memory_note(memory: Mapping[str, Any]) -> str:
    """The line an answer from memory carries."""
    source, asked = memory.get("source"), memory.get("question")
    if source == "reflexion":
        who = f" by {memory['author']}" if memory.get("author") else ""
        scope = "reviewed" if memory.get("reviewed") else "yours until reviewed"
        return (
            f"Answered from memory: reflexion note #{memory['id']} (a correction{who} of {asked!r}, {scope})."
        )
    if source == "skill" and memory.get("reused"):
        return f"Answered from memory: skill #{memory['id']}, the confirmed reading of {asked!r}."
    return f"Confirmed before: skill #{memory['id']} ({memory.get('successes', 0)} confirmed answers to {asked!r})."


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()] if "{{" not in value else [value]
    return [str(v) for v in value]


def lookup(memory: Memory, res: Resolution, user: str | None, catalog_words: Collection[str]) -> Resolution:
    """The answer to ``res.question``: a note's correction, a confirmed skill's reading, or ``res``.

    Notes come first (``user``'s own and reviewed ones), then skills; see the module's docstring for
    when each is used.
    """
    if res.analysis is not None:
        return res
    question = res.question
    fresh = reading_of(res.to_dict())
    sig = signature(fresh)
    candidates = []
    for found in visible_notes(memory, question, user, k=10):
        try:
            wrong, fix = json.loads(found["wrong"]), json.loads(found["fix"])
        except ValueError:
            continue
        if isinstance(wrong, dict) and isinstance(fix, dict) and fix.get("metrics"):
            candidates.append(
                (similarity(question, str(found["question"])), int(found["id"]), found, wrong, fix)
            )
    for score, _, found, wrong, fix in sorted(candidates, key=lambda c: (-c[0], -c[1])):
        if signature(fix) == sig:
            break  # the resolver already reads it as corrected
        same = bool(wrong.get("answerable")) and signature(wrong) == sig and score >= SAME_READING_SCORE
        if same or usable(res, question, str(found["question"]), catalog_words):
            memory_info = {
                "source": "reflexion",
                "id": int(found["id"]),
                "question": found["question"],
                "author": found.get("author"),
                "reviewed": bool(found.get("reviewed")),
                "similarity": round(score, 1),
            }
            return replaced(res, fix, wrong, memory_info)
    for hit in memory.search(question, kind="skills", k=5):
        skill = skill_row(memory, hit.key)
        template = (skill or {}).get("template")
        if not isinstance(template, dict) or not isinstance(template.get("reading"), dict):
            continue
        reading = template["reading"]
        score = similarity(question, hit.text)
        info = {
            "source": "skill",
            "id": hit.key,
            "question": hit.text,
            "successes": int((skill or {}).get("successes") or 0),
            "similarity": round(score, 1),
        }
        if signature(reading) == sig and score >= SAME_READING_SCORE:
            return confirmed(res, info)
        if reading.get("answerable") and usable(res, question, hit.text, catalog_words):
            return replaced(res, reading, None, info | {"reused": True})
    return res


def usable(res: Resolution, question: str, remembered: str, catalog_words: Collection[str]) -> bool:
    """Whether a reading remembered for ``remembered`` may answer ``question``, which the resolver failed."""
    return (
        failed(res)
        and similarity(question, remembered, strict=True) >= FAILED_READING_SCORE
        and not says_more(question, remembered, catalog_words)
    )


class _Notes:
    """Every reflexion note of one memory and a lexical index of their questions, kept until they change."""

    def __init__(self) -> None:
        self.key: tuple[Any, ...] | None = None
        self.rows: list[dict[str, Any]] = []
        self.index = LexicalIndex()


_NOTES: weakref.WeakKeyDictionary[Memory, _Notes] = weakref.WeakKeyDictionary()
_NOTES_LOCK = threading.Lock()


def visible_notes(memory: Memory, question: str, user: str | None, k: int = 10) -> list[dict[str, Any]]:
    """The ``k`` notes about questions most like ``question`` that ``user`` may see: reviewed ones and
    their own. The notes are read again only when they changed (one aggregate query tells).
    """
    table = schema.reflexions
    probe = sa.select(
        sa.func.count(),
        sa.func.max(table.c.id),
        sa.func.sum(sa.case((table.c.reviewed.is_(True), 1), else_=0)),
    )
    with memory.engine.connect() as conn:
        key = tuple(conn.execute(probe).one())
        with _NOTES_LOCK:
            notes = _NOTES.setdefault(memory, _Notes())
            if notes.key != key:
                rows = [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(table.c.id))]
                index = LexicalIndex()
                index.extend([(i, str(r["question"])) for i, r in enumerate(rows)])
                if rows:
                    index.freeze()
                notes.key, notes.rows, notes.index = key, rows, index
            rows, index = notes.rows, notes.index
    out = []
    for hit in index.search(question, k=max(50, 5 * k)):
        row = rows[hit.key]
        if row["reviewed"] or (user and row["author"] == user):
            out.append(row)
            if len(out) == k:
                break
    return out


def skill_row(memory: Memory, skill_id: int) -> dict[str, Any] | None:
    """One skill as a dict, or None."""
    with memory.engine.connect() as conn:
        row = conn.execute(sa.select(schema.skills).where(schema.skills.c.id == skill_id)).first()
    return dict(row._mapping) if row is not None else None
