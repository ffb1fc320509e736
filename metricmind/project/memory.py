"""The agent's memory wired into asking and querying: episodes, reflexion, skills from confirmed outcomes.

- **Episodes.** ``Project.remember()`` (the CLI, web and MCP servers call it) records every execution
  of :meth:`Project.run` as an episode (query, SQL, success or error, rows, elapsed ms, user, reward);
  :meth:`ask` records every question (the reading chosen, where it came from, and with ``--run`` the
  execution's outcome in the same episode).
- **Recall.** :meth:`ask` passes the resolver a memory lookup (a plain callable, see
  ``Resolver.resolve``): a reflexion note overrides a reading corrected before — its author's at once,
  everyone's once another person (an approver) reviewed it; a confirmed skill confirms or answers a
  question like one confirmed before (``metricmind.project.recall`` says when that is safe).
- **Feedback.** :meth:`answer_feedback` turns a verdict into memory: right → thumbs-up (a skill, unless
  the answer came from a note nobody reviewed), wrong with the right query → a reflexion note, wrong
  alone → thumbs-down (the pattern's skill is dropped).
- **Without a store.** A memory that cannot be opened (a server store down) is reported once in the log
  and in ``memory_problem``; questions and queries are answered without it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metricmind import config
from metricmind.appendlog import append_line, locked
from metricmind.errors import MetricmindError, PermissionDenied, QueryError
from metricmind.learn.reward import Outcome, RewardConfig
from metricmind.project.learning import enabled, pattern_of, reward_config
from metricmind.project.results import Execution
from metricmind.project.running import RunMixin
from metricmind.project.words import WordsMixin

if TYPE_CHECKING:
    import datetime as dt

    from metricmind.learn.memory import Memory
    from metricmind.resolve import Resolution, Resolver

log = logging.getLogger(__name__)
SPOOL_FILE = "episodes.jsonl"
EPISODE_FIELDS = frozenset(
    "success question query pattern reading action sql error rows elapsed_ms reward user feedback".split()
)
VERDICTS = {"correct": "thumbs_up", "approved": "approved", "incorrect": "thumbs_down"}


@dataclass
class Asked:
    """A question answered through :meth:`MemoryMixin.ask`: the resolution and its episode (if recorded)."""

    resolution: Resolution
    user: str | None
    source: str
    resolve_ms: float
    episode: int | None = None
    runs: list[Execution] = field(default_factory=list)


class MemoryMixin(WordsMixin, RunMixin):
    """Episodes of every ask and query, recall of corrected and confirmed readings, feedback into memory."""

    #: Why the memory is not used (a store that cannot be opened), or None.
    memory_problem: str | None = None

    # -- the store, or nothing ------------------------------------------------------------------
    def memory_or_none(self) -> Memory | None:
        """The memory, or None when its store cannot be opened (logged once; ``memory_problem`` says why).

        Opening it stores the episodes spooled while it was closed.
        """
        if self.memory_problem is not None:
            return None
        opened = "memory" in self.__dict__
        try:
            memory = self.memory
        except (MetricmindError, OSError) as exc:
            self.memory_problem = str(exc)
            log.warning("the memory is not used: %s", exc)
            return None
        if not opened:
            self.drain_episodes()
        return memory

    @cached_property
    def _capture(self) -> threading.local:
        return threading.local()

    @property
    def episode_spool(self) -> Path:
        """Where episodes wait while the memory is closed (``episodes.jsonl`` in the state folder)."""
        return self.state_dir / SPOOL_FILE

    def remember(self) -> None:
        """Record every execution of :meth:`run` as an episode from now on (once per project).

        While the memory is closed an episode is one line appended to :attr:`episode_spool` (a locked
        ``O_APPEND`` write: a ``metricmind query`` does not pay for opening the store); the memory
        stores them when it opens (:meth:`drain_episodes`).
        """
        if self._record_run not in self.listeners:
            self.listeners.append(self._record_run)

    @contextmanager
    def capturing(self) -> Iterator[list[Execution]]:
        """Executions made inside go to the list (for :meth:`record_ask`), not to episodes of their own."""
        runs: list[Execution] = []
        self._capture.runs = runs
        try:
            yield runs
        finally:
            self._capture.runs = None

    def _record_run(self, execution: Execution) -> None:
        runs = getattr(self._capture, "runs", None)
        if runs is not None:
            runs.append(execution)
            return
        if enabled(self):  # type: ignore[arg-type]
            return  # the learned query path records its own episodes, with the arm that served them
        episode = {
            "success": execution.error is None,
            "query": execution.query.to_dict(),
            "pattern": pattern_of(execution.query),
            "action": {"source": execution.source, "arm": "plain"},
            "sql": execution.sql,
            "error": execution.error,
            "rows": execution.rows,
            "elapsed_ms": round(execution.elapsed_ms, 3),
            "user": execution.user,
        }
        if "memory" in self.__dict__ and self.memory_problem is None:
            self._store([episode])
            return
        try:
            config.ensure_state_dir(self.state_dir)
            append_line(self.episode_spool, (json.dumps(episode, default=str) + "\n").encode())
        except OSError as exc:  # a read-only project folder must not fail the query
            log.warning("episode not recorded: %s", exc)

    def drain_episodes(self) -> int:
        """Store the spooled episodes (then empty the spool); how many. Nothing without a memory."""
        memory = self.memory_or_none()
        if memory is None or not self.episode_spool.exists():
            return 0
        with locked(self.episode_spool, os.O_RDWR) as fd:
            size = os.fstat(fd).st_size
            raw = os.pread(fd, size, 0) if size else b""
            episodes = []
            for line in raw.split(b"\n"):
                try:
                    found = json.loads(line) if line.strip() else None
                except ValueError:
                    continue  # a torn line from a crashed writer
                if isinstance(found, dict):
                    episodes.append(found)
            stored = self._store(episodes)
            os.ftruncate(fd, 0)
            os.fsync(fd)
        return stored

    def _store(self, episodes: Sequence[Mapping[str, Any]]) -> int:
        """Record executed episodes with their reward; how many were stored."""
        from metricmind.learn.memory import Episode

        memory = self.memory_or_none()
        if memory is None:
            return 0
        stored = 0
        for data in episodes:
            try:
                episode = Episode(**{k: v for k, v in data.items() if k in EPISODE_FIELDS})
                if episode.reward is None and episode.rows is not None:
                    episode.reward = reward(memory, episode, self._reward_config())
                memory.record(episode)
                stored += 1
            except (MetricmindError, TypeError) as exc:  # a memory that fails never fails the query
                log.warning("episode not recorded: %s", exc)
        return stored

    def _reward_config(self) -> RewardConfig:
        """The ``learn.reward`` weights; a bad configuration is logged and the defaults are used."""
        try:
            return reward_config(self)  # type: ignore[arg-type]
        except MetricmindError as exc:
            log.warning("learn.reward not used: %s", exc)
            return RewardConfig()

    # -- asking -----------------------------------------------------------------------------
    def memory_lookup(
        self, user: str | None, resolver: Resolver | None = None
    ) -> Callable[[Resolution], Resolution]:
        """The callable the resolver consults: its reading → the answer (remembered, or the reading itself)."""
        from metricmind.project.recall import lookup

        memory = self.memory_or_none()
        words = resolver.lex.vocabulary if resolver is not None and hasattr(resolver, "lex") else set()

        def consult(res: Resolution) -> Resolution:
            if memory is None:
                return res
            try:
                return lookup(memory, res, user, words)
            except MetricmindError as exc:
                log.warning("memory not consulted: %s", exc)
                return res

        return consult

    def ask(
        self,
        question: str,
        *,
        as_of: dt.date | None = None,
        user: str | None = None,
        source: str = "api",
        resolver: Any = None,
        record: bool = True,
    ) -> Asked:
        """Resolve ``question`` with memory (``user``'s notes and reviewed ones); record it as an episode.

        ``resolver`` defaults to ``self.resolver(user)``; with ``record=False`` call :meth:`record_ask`
        after running the query (inside :meth:`capturing`), so the episode holds its outcome.
        """
        chosen = resolver if resolver is not None else self.resolver(user)
        t0 = time.perf_counter()
        res = chosen.resolve(question, as_of=as_of, memory_lookup=self.memory_lookup(user, chosen))
        asked = Asked(res, user, source, (time.perf_counter() - t0) * 1000)
        if record:
            self.record_ask(asked)
        return asked

    def record_ask(self, asked: Asked, runs: Sequence[Execution] = ()) -> int | None:
        """Store the question's episode (with the outcome of ``runs``, its executions); its id or None."""
        from metricmind.learn.memory import Episode
        from metricmind.project.recall import reading_of

        memory = self.memory_or_none()
        if memory is None:
            return None
        data = asked.resolution.to_dict()
        reading = reading_of(data)
        recalled = data.get("memory") or {}
        private = recalled.get("source") == "reflexion" and not recalled.get("reviewed")
        pattern = (
            ""
            if private or not reading["answerable"]
            else "ask:" + ask_pattern(asked.resolution.question, reading)
        )
        action: dict[str, Any] = {"source": asked.source, "answer": recalled.get("source") or "resolver"}
        if recalled:
            action["memory_id"] = str(recalled.get("id"))
        errors = [r.error for r in runs if r.error]
        episode = Episode(
            success=bool(reading["answerable"]) and not errors,
            question=asked.resolution.question,
            query={"reading": reading, "query": data.get("query")},
            pattern=pattern,
            reading=json.dumps(reading, sort_keys=True, default=str),
            action=action,
            sql=runs[0].sql if runs else None,
            error=errors[0] if errors else (None if reading["answerable"] else data.get("reason")),
            rows=runs[0].rows if runs else None,
            elapsed_ms=round(asked.resolve_ms + sum(r.elapsed_ms for r in runs), 3),
            user=asked.user,
        )
        if runs:
            episode.reward = reward(memory, episode, self._reward_config())
        try:
            asked.episode = memory.record(episode)
        except MetricmindError as exc:
            log.warning("episode not recorded: %s", exc)
        return asked.episode

    # -- the monitor ----------------------------------------------------------------------------
    def learning_status(self, *, simulate: bool = True) -> dict[str, Any]:
        """``metricmind learn status``: the monitor's sections (``learn.monitor``: memory, arms, episode
        arms, simulator) and the learned query path's (hit rates, banned arms, rollups, trending).

        Raises:
            StoreError: the memory cannot be opened.
        """
        from metricmind.learn.monitor import status as monitor_status
        from metricmind.learn.policy import Policy
        from metricmind.project.learning import CHECKPOINT, GUARD, hit_rates
        from metricmind.project.rollups import RollupStore

        memory = self.memory
        if "learner" in self.__dict__:
            self.learner.flush()  # the learned path writes its episodes after the answer
        self.drain_episodes()
        status = monitor_status(memory, skip=() if simulate else ("simulator",))
        status |= hit_rates(memory)
        guard = memory.load_checkpoint(GUARD) or {}
        status["banned"] = [{"arm": a, "reason": r} for a, r in sorted((guard.get("banned") or {}).items())]
        store = RollupStore(self.state_dir / "rollups")
        status["rollups"] = len(store.rollups())
        status["rollups_stale"] = store.stale(self)  # type: ignore[arg-type]
        trending = memory.load_checkpoint("trending") or {}
        status["trending"] = [
            {
                "name": t["name"],
                "uses": t.get("recent"),
                "uses_before": t.get("prior"),
                "growth": t.get("growth"),
                "since": t.get("since"),
            }
            for t in trending.get("metrics") or []
        ]
        state = memory.load_checkpoint(CHECKPOINT) or memory.load_checkpoint("policy")
        status["arms"] = Policy.from_state(state).arm_stats() if state else []
        return status

    # -- feedback and review ------------------------------------------------------------------
    def answer_feedback(
        self,
        question: str,
        verdict: str,
        *,
        user: str | None,
        expected: Mapping[str, Any] | None = None,
        as_of: dt.date | None = None,
    ) -> dict[str, Any]:
        """A verdict on the answer to ``question`` (its newest episode for ``user``) into memory.

        ``correct`` → a thumbs-up (a skill, unless the answer came from a note nobody reviewed);
        ``incorrect`` with ``expected`` (the right query, ``MetricQuery.build`` form or a whole ``ask
        --json`` answer; checked by compiling it) → a reflexion note, ``user``'s at once and everyone's
        once reviewed; ``incorrect`` alone → a thumbs-down. Returns ``{"episode", "feedback", "note"}``.
        A correction takes an editor (``user`` in the catalog), as teaching a word does.

        Raises:
            QueryError: an unknown verdict, or an ``expected`` query that does not compile.
            PermissionDenied: a correction by no user, an unknown one, or one who is not an editor.
            StoreError: the memory cannot be opened.
        """
        from metricmind.project.recall import query_of, reading_from_query
        from metricmind.spec.query import MetricQuery

        if verdict not in VERDICTS:
            raise QueryError(
                f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}", hint="Pass correct or incorrect."
            )
        fix = None
        if expected is not None:
            if verdict != "incorrect":
                raise QueryError(
                    "a corrected query goes with verdict 'incorrect'", hint="Pass verdict='incorrect'."
                )
            self._require_editor(user)
            fix = reading_from_query(expected)
            self.compile(MetricQuery.build(**query_of(fix)))  # unknown names fail here, with suggestions
        memory = self.memory
        found = latest_ask(memory, question, user)
        if found is None:
            found = self.ask(question, as_of=as_of, user=user, source="feedback").episode
            if found is None:
                raise QueryError(
                    f"no answer to {question!r} could be recorded", hint="Check the memory store."
                )
        value = "corrected" if fix is not None else VERDICTS[verdict]
        memory.feedback(found, value, user=user)
        note = None
        if fix is not None:
            wrong = str(memory.episode(found)["reading"] or "{}")
            note = memory.reflect(
                question, wrong, json.dumps(fix, sort_keys=True, default=str), author=user, episode_id=found
            )
        return {"episode": found, "feedback": value, "note": note}

    def _require_editor(self, user: str | None) -> None:
        """A correction changes answers: it takes an editor (as teaching a word does)."""
        from metricmind.catalog.workflow import Role

        if not user:
            raise PermissionDenied(
                "a correction needs to know who makes it", hint="Pass the user (an editor of the catalog)."
            )
        role = self.catalog.role(user)
        if role.rank < Role.EDITOR.rank:
            raise PermissionDenied(
                f"{user} has the role {role.value}; correcting an answer takes an editor",
                hint="A viewer's verdict is recorded, a correction is not; ask an admin for the editor role.",
            )

    def review_note(self, note_id: int, reviewer: str) -> dict[str, Any]:
        """Make reflexion note ``note_id`` everyone's: an approver who did not write it (four eyes).

        Raises:
            PermissionDenied: ``reviewer`` is not an approver (or is unknown).
            StoreError: no such note, or its own author reviewing it.
        """
        from metricmind.catalog.workflow import Role

        role = self.catalog.role(reviewer)
        if role.rank < Role.APPROVER.rank:
            raise PermissionDenied(
                f"{reviewer} has the role {role.value}; reviewing a note that changes everyone's answers takes an approver",
                hint="Ask an approver to review it (metricmind learn review ID --user APPROVER).",
            )
        self.memory.review_note(note_id, reviewer)
        return note(self.memory, note_id)


def reward(memory: Memory, episode: Any, config: RewardConfig) -> float:
    """The reward of an executed episode (``learn.reward``); a new pattern earns its bonus."""
    outcome = Outcome(
        success=bool(episode.success),
        elapsed_ms=float(episode.elapsed_ms or 0.0),
        rows=int(episode.rows or 0),
        new_pattern=bool(episode.pattern) and not seen(memory, episode.pattern),
    )
    return config.reward(outcome)


def ask_pattern(question: str, reading: Mapping[str, Any]) -> str:
    """A question's pattern: its content words and the reading's signature."""
    from metricmind.project.recall import content, signature

    return (" ".join(sorted(set(content(question)))) + " => " + signature(reading))[:500]


def seen(memory: Memory, pattern: str) -> bool:
    """Whether an episode with ``pattern`` was recorded before."""
    import sqlalchemy as sa

    from metricmind.learn import schema

    e = schema.episodes
    with memory.engine.connect() as conn:
        return (
            conn.execute(sa.select(e.c.id).where(e.c.pattern == pattern[:512]).limit(1)).first() is not None
        )


def latest_ask(memory: Memory, question: str, user: str | None) -> int | None:
    """The newest episode of ``question`` (``user``'s when given)."""
    import sqlalchemy as sa

    from metricmind.learn import schema

    e = schema.episodes
    query = sa.select(e.c.id).where(e.c.question == question)
    if user:
        query = query.where(e.c.user_name == user)
    with memory.engine.connect() as conn:
        found = conn.execute(query.order_by(e.c.id.desc()).limit(1)).scalar()
    return int(found) if found is not None else None


def note(memory: Memory, note_id: int) -> dict[str, Any]:
    """One reflexion note as a dict."""
    import sqlalchemy as sa

    from metricmind.learn import schema

    with memory.engine.connect() as conn:
        row = conn.execute(sa.select(schema.reflexions).where(schema.reflexions.c.id == note_id)).first()
    return dict(row._mapping) if row is not None else {}


def notes(memory: Memory, limit: int = 200) -> list[dict[str, Any]]:
    """The newest reflexion notes, newest first."""
    import sqlalchemy as sa

    from metricmind.learn import schema

    table = schema.reflexions
    with memory.engine.connect() as conn:
        rows = conn.execute(sa.select(table).order_by(table.c.id.desc()).limit(limit)).all()
    return [dict(r._mapping) for r in rows]
