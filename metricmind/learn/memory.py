"""The agent's memory: episodes, reflexion notes, skills and policy checkpoints in the project store.

SQLite (the project's ``store.db``) by default, PostgreSQL by URL; the tables are ``learn_*``
(:mod:`metricmind.learn.schema`, Alembic branch ``learn``). Each write is one short transaction, so
concurrent writers (web, MCP, CLI processes) lose nothing: SQLite serialises them (WAL, busy timeout),
PostgreSQL row-locks.

No poisoned memory: a skill is made only from confirmed outcomes of episodes with a pattern (an
answer that came from a note nobody reviewed has none) — an episode approved or given a
thumbs-up (at once), or a pattern that ran successfully ``min_successes`` times and was never corrected
or thumbed down (:meth:`Memory.consolidate`). A correction leaves a reflexion note instead, which
applies to its author at once and to everyone once reviewed.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError, OperationalError

from metricmind.embedding import Embedder, default_embedder
from metricmind.errors import StoreError
from metricmind.learn import schema
from metricmind.learn.memorysearch import MemorySearch
from metricmind.learn.vectors import HybridIndex
from metricmind.storage import make_engine, upgrade

CONFIRMING = ("approved", "thumbs_up")
REJECTING = ("corrected", "thumbs_down")
FEEDBACK = CONFIRMING + REJECTING


def now() -> dt.datetime:
    """The current UTC time without tzinfo (how the store keeps times)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


@dataclass
class Episode:
    """One executed request and what came of it."""

    success: bool
    question: str | None = None
    query: Mapping[str, Any] | None = None
    pattern: str = ""
    reading: str | None = None
    action: Mapping[str, str] | None = None
    sql: str | None = None
    error: str | None = None
    rows: int | None = None
    elapsed_ms: float | None = None
    reward: float | None = None
    user: str | None = None
    feedback: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """What similarity search matches on: the question, else the pattern."""
        return self.question or self.pattern


class Memory(MemorySearch):
    """The memory tables of one store. Open with :meth:`open` (migrates, recovers a corrupt SQLite file)."""

    def __init__(
        self, engine: sa.Engine, recovered: str | None = None, embedder: Embedder | None = None
    ) -> None:
        self.engine = engine
        #: Set when a corrupt SQLite store was moved aside and recreated (says where the old file went).
        self.recovered = recovered
        #: Sentence embeddings for search by meaning; ``None``: lexical search only.
        self.embedder = embedder
        self._lock = threading.Lock()
        self._indexes: dict[str, tuple[HybridIndex, int]] = {}

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str, *, semantic: bool = True) -> Memory:
        """The memory of the store at ``url``, migrated to the newest tables.

        Searches use sentence embeddings when ``semantic`` and the ``embeddings`` extra is installed
        (``$METRICMIND_EMBEDDINGS=off`` turns them off), else the lexical index alone.

        A SQLite file that is not a database is renamed ``<file>.corrupt-<time>`` and recreated (the
        memory is rebuilt from use); a server store that fails raises.

        Raises:
            StoreError: the store cannot be opened or migrated.
        """
        path = sqlite_path(url)
        error: DatabaseError | OperationalError | None = None
        for attempt in range(6):
            engine = make_engine(url)
            try:
                upgrade(engine)
                return cls(engine, embedder=default_embedder() if semantic else None)
            except (DatabaseError, OperationalError) as exc:
                engine.dispose()
                error = exc
                if path is None or not path.exists() or not is_sqlite(path):
                    break
                time.sleep(0.1 * (attempt + 1))  # a sound file: another process is creating the tables
        assert error is not None
        if path is None or not path.exists() or is_sqlite(path):
            raise StoreError(
                f"The memory store {url} cannot be opened: {error.orig or error}",
                hint="Check the store URL (setting store.url) and that the server is running.",
            ) from error
        aside = path.with_name(f"{path.name}.corrupt-{now():%Y%m%dT%H%M%S}")
        path.rename(aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        engine = make_engine(url)
        upgrade(engine)
        return cls(
            engine,
            recovered=f"the store {path} was corrupt; moved to {aside} and recreated",
            embedder=default_embedder() if semantic else None,
        )

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[sa.Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        except (DatabaseError, OperationalError) as exc:
            raise StoreError(
                f"A memory store operation failed: {exc.orig or exc}",
                hint="Nothing was written; retry, or run `metricmind learn reset` if the store is damaged.",
            ) from exc

    # -- episodes -----------------------------------------------------------------------------
    def record(self, episode: Episode) -> int:
        """Store ``episode`` (one transaction); its id. A confirming feedback makes a skill at once."""
        return self.record_many([episode])[0]

    def record_many(self, episodes: list[Episode]) -> list[int]:
        """Store ``episodes`` in one transaction; their ids."""
        at = now()
        keys: list[int] = []
        with self._tx() as conn:
            for episode in episodes:
                result = conn.execute(
                    schema.episodes.insert().values(
                        question=episode.question,
                        query=dict(episode.query) if episode.query is not None else None,
                        pattern=episode.pattern[:512],
                        reading=episode.reading,
                        action=dict(episode.action) if episode.action is not None else None,
                        sql=episode.sql,
                        success=episode.success,
                        error=episode.error,
                        rows=episode.rows,
                        elapsed_ms=episode.elapsed_ms,
                        feedback=episode.feedback,
                        reward=episode.reward,
                        user_name=episode.user,
                        created_at=at,
                        updated_at=at,
                    )
                )
                keys.append(new_id(result))
                if episode.feedback in CONFIRMING and episode.success and episode.pattern:
                    self._skill(conn, episode.pattern, episode.text(), episode.query, 1, episode.elapsed_ms)
        return keys

    def episode(self, episode_id: int) -> dict[str, Any]:
        """One episode as a dict.

        Raises:
            StoreError: no episode has that id.
        """
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(schema.episodes).where(schema.episodes.c.id == episode_id)).first()
        if row is None:
            raise StoreError(f"No episode {episode_id} in the memory", hint="See `metricmind learn status`.")
        return dict(row._mapping)

    def feedback(
        self, episode_id: int, value: str, *, fix: str | None = None, user: str | None = None
    ) -> None:
        """Record a person's verdict on an episode.

        ``approved``/``thumbs_up`` on a successful episode make (or strengthen) its skill;
        ``corrected``/``thumbs_down`` drop the pattern's skill and, with ``fix``, leave a reflexion note.

        Raises:
            StoreError: an unknown verdict or episode.
        """
        if value not in FEEDBACK:
            raise StoreError(f"Unknown feedback {value!r}", hint=f"Use one of: {', '.join(FEEDBACK)}.")
        found = self.episode(episode_id)
        with self._tx() as conn:
            conn.execute(
                schema.episodes.update()
                .where(schema.episodes.c.id == episode_id)
                .values(feedback=value, updated_at=now())
            )
            pattern = str(found["pattern"])
            if value in CONFIRMING and found["success"] and pattern:
                text = str(found["question"] or pattern)
                self._skill(conn, pattern, text, found["query"], 1, found["elapsed_ms"])
            elif value in REJECTING:
                conn.execute(schema.skills.delete().where(schema.skills.c.pattern == pattern))
                self._indexes.pop("skills", None)
        if value in REJECTING and fix:
            wrong = str(found["reading"] or found["sql"] or found["pattern"])
            self.reflect(str(found["question"] or pattern), wrong, fix, author=user, episode_id=episode_id)

    def patterns(self) -> set[str]:
        """Every pattern an episode was recorded for."""
        query = sa.select(schema.episodes.c.pattern).distinct()
        with self.engine.connect() as conn:
            return {str(p) for p in conn.execute(query).scalars()}

    def episodes(self, limit: int = 100) -> list[dict[str, Any]]:
        """The newest episodes, newest first."""
        query = sa.select(schema.episodes).order_by(schema.episodes.c.id.desc()).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    # -- skills -------------------------------------------------------------------------------
    def _skill(
        self,
        conn: sa.Connection,
        pattern: str,
        text: str,
        template: Any,
        successes: int,
        elapsed_ms: float | None,
        kind: str = "query",
    ) -> None:
        table = schema.skills
        at = now()
        found = conn.execute(
            sa.select(table.c.id).where(table.c.kind == kind, table.c.pattern == pattern[:512])
        ).first()
        if found is None:
            conn.execute(
                table.insert().values(
                    kind=kind,
                    pattern=pattern[:512],
                    text=text,
                    template=template,
                    uses=successes,
                    successes=successes,
                    total_ms=float(elapsed_ms or 0.0) * successes,
                    created_at=at,
                    last_used=at,
                )
            )
        else:
            conn.execute(
                table.update()
                .where(table.c.id == found[0])
                .values(
                    uses=table.c.uses + successes,
                    successes=table.c.successes + successes,
                    total_ms=table.c.total_ms + float(elapsed_ms or 0.0) * successes,
                    last_used=at,
                )
            )

    def consolidate(self, min_successes: int = 3) -> int:
        """Make skills of patterns that succeeded ``min_successes`` times and were never rejected.

        Returns the number of skills created or refreshed.
        """
        e = schema.episodes
        rejected = sa.select(e.c.pattern).where(e.c.feedback.in_(REJECTING)).distinct()
        query = (
            sa.select(
                e.c.pattern,
                sa.func.max(e.c.question),
                sa.func.count(),
                sa.func.avg(e.c.elapsed_ms),
                sa.func.max(e.c.id),
            )
            .where(e.c.success.is_(True), e.c.pattern != "", e.c.pattern.not_in(rejected))
            .group_by(e.c.pattern)
            .having(sa.func.count() >= min_successes)
        )
        made = 0
        with self._tx() as conn:
            for pattern, question, count, avg_ms, last in conn.execute(query).all():
                template = conn.execute(sa.select(e.c.query).where(e.c.id == last)).scalar()
                conn.execute(
                    schema.skills.delete().where(
                        schema.skills.c.kind == "query", schema.skills.c.pattern == pattern
                    )
                )
                self._skill(conn, pattern, question or pattern, template, int(count), avg_ms)
                made += 1
        self._indexes.pop("skills", None)
        return made

    def confirm_skill(self, kind: str, pattern: str, text: str, template: Any) -> None:
        """Keep an outcome a person confirmed (an approved generated package) as a skill of ``kind``: one
        success of ``pattern``, searchable by ``text``; confirming it again counts another success.
        """
        with self._tx() as conn:
            self._skill(conn, pattern, text, template, 1, None, kind=kind)
        self._indexes.pop("skills", None)

    def skills(self) -> list[dict[str, Any]]:
        """Every skill with its success rate and average latency."""
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.skills).order_by(schema.skills.c.id)).all()
        out = []
        for row in rows:
            item = dict(row._mapping)
            item["success_rate"] = round(item["successes"] / item["uses"], 4) if item["uses"] else 0.0
            item["avg_ms"] = round(item["total_ms"] / item["successes"], 3) if item["successes"] else None
            out.append(item)
        return out

    # -- reflexion ----------------------------------------------------------------------------
    def reflect(
        self, question: str, wrong: str, fix: str, *, author: str | None = None, episode_id: int | None = None
    ) -> int:
        """Leave a note: for ``question``, ``wrong`` was wrong and ``fix`` is right. Its id."""
        with self._tx() as conn:
            result = conn.execute(
                schema.reflexions.insert().values(
                    episode_id=episode_id,
                    question=question,
                    wrong=wrong,
                    fix=fix,
                    author=author,
                    created_at=now(),
                )
            )
        return new_id(result)

    def review_note(self, note_id: int, reviewer: str) -> None:
        """Make a note apply to everyone; the reviewer must not be its author (four eyes).

        Raises:
            StoreError: no such note, or the author reviewing their own note.
        """
        table = schema.reflexions
        with self._tx() as conn:
            author = conn.execute(sa.select(table.c.author).where(table.c.id == note_id)).first()
            if author is None:
                raise StoreError(f"No reflexion note {note_id}", hint="See `metricmind learn status`.")
            if author[0] and author[0] == reviewer:
                raise StoreError(
                    f"{reviewer} wrote note {note_id} and cannot review it",
                    hint="Ask another person to review it.",
                )
            conn.execute(table.update().where(table.c.id == note_id).values(reviewed=True))

    def notes_for(
        self, question: str, user: str | None = None, k: int = 3, min_score: float = 60
    ) -> list[dict[str, Any]]:
        """Reflexion notes about questions like ``question``: reviewed ones, and ``user``'s own."""
        table = schema.reflexions
        visible: sa.ColumnElement[bool] = table.c.reviewed.is_(True)
        if user:
            visible = sa.or_(visible, table.c.author == user)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(sa.select(table).where(visible))]
        index = HybridIndex(self.embedder)
        index.extend([(i, str(r["question"])) for i, r in enumerate(rows)])
        return [rows[h.key] | {"score": h.score} for h in index.search(question, k, min_score)]

    # -- checkpoints, status, reset -----------------------------------------------------------
    def save_checkpoint(self, name: str, experiences: int, state: Mapping[str, Any]) -> int:
        """Store a policy's state; keeps the newest five per name. Its id."""
        table = schema.checkpoints
        with self._tx() as conn:
            result = conn.execute(
                table.insert().values(name=name, experiences=experiences, state=dict(state), created_at=now())
            )
            keep = sa.select(table.c.id).where(table.c.name == name).order_by(table.c.id.desc()).limit(5)
            conn.execute(
                table.delete().where(table.c.name == name, table.c.id.not_in(keep.scalar_subquery()))
            )
        return new_id(result)

    def load_checkpoint(self, name: str) -> dict[str, Any] | None:
        """The newest state saved under ``name``, or None."""
        table = schema.checkpoints
        query = sa.select(table.c.state).where(table.c.name == name).order_by(table.c.id.desc()).limit(1)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        return dict(found) if found is not None else None

    def status(self) -> dict[str, Any]:
        """Counts, and the average reward of the first and the latest 100 rewarded episodes."""
        e = schema.episodes
        with self.engine.connect() as conn:

            def count(table: sa.Table) -> int:
                return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0)

            rewarded = sa.select(e.c.reward).where(e.c.reward.is_not(None))
            early = [float(r) for r in conn.execute(rewarded.order_by(e.c.id).limit(100)).scalars()]
            recent = [float(r) for r in conn.execute(rewarded.order_by(e.c.id.desc()).limit(100)).scalars()]
            out: dict[str, Any] = {
                "episodes": count(e),
                "skills": count(schema.skills),
                "reflexions": count(schema.reflexions),
                "checkpoints": count(schema.checkpoints),
            }
        avg_early = sum(early) / len(early) if early else None
        avg_recent = sum(recent) / len(recent) if recent else None
        out["reward_early"] = round(avg_early, 3) if avg_early is not None else None
        out["reward_recent"] = round(avg_recent, 3) if avg_recent is not None else None
        out["improvement_pct"] = (
            round(100 * (avg_recent - avg_early) / abs(avg_early), 2)
            if avg_early and avg_recent is not None
            else None
        )
        return out

    def reset(self) -> dict[str, int]:
        """Forget everything: episodes, notes, skills and checkpoints. The counts removed."""
        removed = {}
        with self._tx() as conn:
            for table in (
                schema.vectors,
                schema.checkpoints,
                schema.skills,
                schema.reflexions,
                schema.episodes,
            ):
                removed[table.name] = int(conn.execute(table.delete()).rowcount or 0)
        self._indexes.clear()
        return removed


def new_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an insert made."""
    key = result.inserted_primary_key
    if key is None:
        raise StoreError("The memory store returned no id for an insert", hint="Retry the operation.")
    return int(key[0])


def is_sqlite(path: Path) -> bool:
    """Whether ``path`` starts like a SQLite database (an empty file is one being created)."""
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except OSError:
        return False
    return head in (b"", b"SQLite format 3\x00")


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (another database, or in memory)."""
    if not url.startswith("sqlite:///"):
        return None
    name = url.removeprefix("sqlite:///")
    return Path(name) if name and name != ":memory:" else None
