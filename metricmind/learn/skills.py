"""Skill arms: answer with the plan of a verified skill from memory instead of compiling afresh.

A *query skill* (:meth:`metricmind.learn.memory.Memory.consolidate`) is a pattern that succeeded at least
three times and was never corrected, with its uses, success rate and average latency. Its *plan* is the
SQL of its latest successful episode — usable only while the semantic model is the one that compiled
it (the episode's ``action.model`` fingerprint equals the project's now): a changed definition makes
every older plan unusable, never stale.

For one request the candidates are the skills of the query's own pattern and of its result-equivalent
readings (:mod:`metricmind.learn.joinpath`); the skill factor's options pick one:

* ``best_match``: the query's own pattern first, then the highest success rate, the most uses;
* ``fastest``: the lowest average latency;
* ``most_recent``: the latest used.

Options that pick the same plan are one arm (the caller offers distinct plans only). A plan's answer
is verified like every non-plain arm (:class:`metricmind.learn.safety.ArmGuard`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from metricmind.learn import schema
from metricmind.learn.memory import Memory

OPTIONS = ("best_match", "fastest", "most_recent")


def fingerprint(parts: Iterable[str]) -> str:
    """A short fingerprint of the semantic model's definitions (the texts that compile queries)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@dataclass(frozen=True)
class Plan:
    """A skill's reusable plan."""

    pattern: str
    sql: str
    query: str  # the query it answered, as asked (JSON, keys sorted): a plan's columns follow its order
    success_rate: float
    uses: int
    avg_ms: float
    last_used: dt.datetime


def plans(memory: Memory, patterns: Sequence[str] | None, model: str) -> list[Plan]:
    """The current plans of the query skills of ``patterns`` (None: every one), compiled on the model
    whose fingerprint is ``model``.
    """
    if patterns is not None and not patterns:
        return []
    s, e = schema.skills, schema.episodes
    query = sa.select(s.c.pattern, s.c.uses, s.c.successes, s.c.total_ms, s.c.last_used).where(
        s.c.kind == "query"
    )
    if patterns is not None:
        query = query.where(s.c.pattern.in_(list(patterns)))
    with memory.engine.connect() as conn:
        skills = conn.execute(query).all()
        out = []
        for pattern, uses, successes, total_ms, last_used in skills:
            rows = conn.execute(
                sa.select(e.c.sql, e.c.action, e.c.query)
                .where(e.c.pattern == pattern, e.c.success.is_(True), e.c.sql.is_not(None))
                .order_by(e.c.id.desc())
                .limit(20)
            ).all()
            row = next((r for r in rows if _model(r[1]) == model), None)
            if row is None or not successes:
                continue
            asked = json.dumps(row[2], sort_keys=True, default=str)
            rate = successes / uses if uses else 0.0
            out.append(Plan(pattern, str(row[0]), asked, rate, int(uses), total_ms / successes, last_used))
    return out


def _model(action: Any) -> str | None:
    if isinstance(action, str):
        try:
            action = json.loads(action)
        except ValueError:
            return None
    return str(action.get("model")) if isinstance(action, dict) and action.get("model") else None


def pick(candidates: Sequence[Plan], own: str) -> dict[str, Plan]:
    """Each skill option's plan among ``candidates`` (``own``: the query's own pattern), distinct plans only."""
    if not candidates:
        return {}
    chosen = {
        "best_match": max(candidates, key=lambda p: (p.pattern == own, p.success_rate, p.uses)),
        "fastest": min(candidates, key=lambda p: (p.avg_ms, p.pattern != own)),
        "most_recent": max(candidates, key=lambda p: (p.last_used, p.pattern == own)),
    }
    out: dict[str, Plan] = {}
    for option in OPTIONS:
        if all(chosen[option].sql != p.sql for p in out.values()):
            out[option] = chosen[option]
    return out
