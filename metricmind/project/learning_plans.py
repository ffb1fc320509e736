"""The plans the learned query path may run: the compiled plain plan, the result-equivalent join paths,
the plans of skills and the hinted plans, each remembered per query (the model does not change under a
project); and the memory they are read from.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from metricmind.errors import MetricmindError
from metricmind.learn import hints as hint_sql
from metricmind.learn import skills as skill_plans
from metricmind.learn.joinpath import CANONICAL, Variant, variants
from metricmind.learn.memory import Memory
from metricmind.project.learning_config import asked, pattern_of
from metricmind.spec.query import MetricQuery

if TYPE_CHECKING:
    from metricmind.project.core import Project

log = logging.getLogger(__name__)
#: How many queries' SQL, join paths and hinted plans are remembered.
REMEMBERED = 1024


@dataclass(frozen=True)
class Plan:
    """How one arm would execute the query: the SQL (None: compile ``variant.query``) and its reading."""

    variant: Variant
    sql: str | None = None
    skill: str = "none"
    hint: bool = False  # ``sql`` is the compiled plan with optimizer hints


def _bounded(cache: OrderedDict[MetricQuery, Any]) -> None:
    """Forget the least recently used entries beyond :data:`REMEMBERED`."""
    while len(cache) > REMEMBERED:
        cache.popitem(last=False)


class Planning:
    """The plans part of :class:`metricmind.project.learning.Learner` (its state is set there)."""

    project: Project
    hinting: bool
    model: str
    _memory: Memory | None
    _lock: threading.RLock
    _sql: OrderedDict[MetricQuery, str]
    _variants: OrderedDict[MetricQuery, list[Variant]]
    _hinted: OrderedDict[MetricQuery, str | None]
    _small: frozenset[str] | None
    _skills: dict[str, skill_plans.Plan] | None

    @property
    def memory(self) -> Memory | None:
        """The memory, or None when its store cannot be opened (queries are answered without it)."""
        if self._memory is None:
            try:
                self._memory = self.project.memory
            except MetricmindError as exc:
                log.warning("the memory is unavailable, queries run without learning: %s", exc)
                return None
        return self._memory

    def compiled(self, query: MetricQuery) -> str:
        """The plain plan's SQL for ``query`` (remembered: the model does not change under a project)."""
        with self._lock:
            sql = self._sql.get(query)
            if sql is not None:
                self._sql.move_to_end(query)
                return sql
        sql = self.project.compile(query, pretty=True)
        with self._lock:
            self._sql[query] = sql
            _bounded(self._sql)
        return sql

    def variants(self, query: MetricQuery) -> list[Variant]:
        """The query's result-equivalent readings (canonical first; remembered like the SQL)."""
        with self._lock:
            found = self._variants.get(query)
            if found is not None:
                return found
        try:
            found = variants(self.project.model, self.project.graph, query)
        except (MetricmindError, ValueError, KeyError):  # the plain plan reports what is wrong
            found = [Variant(CANONICAL, query)]
        with self._lock:
            self._variants[query] = found
            _bounded(self._variants)
        return found

    def skills(self) -> dict[str, skill_plans.Plan]:
        """The current plans of the query skills by pattern (read at first use, then every
        :data:`~metricmind.project.learning_config.SKILLS_EVERY` requests on the writer thread).
        """
        with self._lock:
            known = self._skills
        if known is None:
            known = self._read_skills()
        return known

    def _read_skills(self) -> dict[str, skill_plans.Plan]:
        memory = self.memory
        found: dict[str, skill_plans.Plan] = {}
        if memory is not None:
            try:
                found = {p.pattern: p for p in skill_plans.plans(memory, None, self.model)}
            except Exception as exc:  # a store that cannot be read: no skill arm, the query still runs
                log.warning("skills not read: %s", exc)
        with self._lock:
            self._skills = found
        return found

    def plans(self, query: MetricQuery, pattern: str) -> dict[str, Plan]:
        """The plans the arms may use, by (skill, join path) option names: ``none|canonical`` always."""
        options = self.variants(query)
        out = {"none|canonical": Plan(options[0])}
        for v in options[1:]:
            out[f"none|{v.label}"] = Plan(v)
        if query.allow_overlap:
            return out
        known = self.skills()
        by_pattern = {pattern: options[0], **{pattern_of(v.query): v for v in options[1:]}}
        candidates = [known[p] for p in by_pattern if p in known]
        for option, plan in skill_plans.pick(candidates, pattern).items():
            variant = by_pattern[plan.pattern]
            if plan.query != asked(variant.query):
                continue  # the same pattern asked with another column order: not this plan's columns
            out[f"{option}|{variant.label}"] = Plan(variant, plan.sql, option)
        return out

    def hinted(self, query: MetricQuery) -> str | None:
        """The compiled plan of ``query`` with ``BROADCAST`` hints for its small lookups, or None (no
        dialect hints, no join to a small relation, or a query that does not compile: the plain plan says why).
        """
        if not self.hinting:
            return None
        with self._lock:
            if query in self._hinted:
                return self._hinted[query]
        try:
            if self._small is None:
                self._small = hint_sql.small_relations(self.project.model, self.project.dialect)
            got = hint_sql.broadcast(self.compiled(query), self.project.dialect, self._small)
        except (MetricmindError, ValueError, KeyError):
            got = None
        with self._lock:
            self._hinted[query] = got.sql if got else None
            _bounded(self._hinted)
        return got.sql if got else None
