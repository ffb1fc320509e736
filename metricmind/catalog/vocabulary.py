"""Learned words under governance: a person's own words at once, shared words only through review.

A word (``phrase`` → a metric, a dimension or ``dimension=value``) follows the change workflow of
:mod:`metricmind.catalog.workflow`::

    draft ──submit──► in_review ──approve──► approved   (shared: written to metricmind/vocabulary.yml)
      ▲                  │
      └──edit── rejected ◄┘reject

While it is a draft, in review or rejected, it applies to its author only (the resolver given that
user reads it from here); once approved it applies to everyone. Editors teach words and submit them;
approvers approve or reject words of others (four eyes: nobody approves their own word). Only the
author edits or removes a word that is not shared; removing a shared word takes an approver. Every
step is one transaction with an audit entry (kind ``vocabulary``, subject the phrase).

The caller checks a word against the model before it is stored or approved (``Project.learn`` uses
``metricmind.resolve.check_word``): this module knows the workflow, not the resolver's normal form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from metricmind.catalog import records
from metricmind.catalog.usage import now
from metricmind.catalog.workflow import Action, ChangeState, Role, change_step
from metricmind.errors import ConflictError, PermissionDenied, StoreError, UnknownNameError
from metricmind.spec.vocabulary import KINDS, Word, read_words, write_words
from metricmind.storage import metadata

if TYPE_CHECKING:
    from metricmind.catalog.service import Catalog

AUDIT_KIND = "vocabulary"

words = sa.Table(
    "cat_vocabulary",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("phrase", sa.String(256), nullable=False),
    sa.Column("target", sa.String(512), nullable=False),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("reviewer", sa.String(128), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("question", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)
sa.Index("ix_cat_vocabulary_author", words.c.author, words.c.state)
sa.Index("ix_cat_vocabulary_state", words.c.state, words.c.id)

#: Where a word applies to its author only.
OWN_STATES = (ChangeState.DRAFT.value, ChangeState.IN_REVIEW.value, ChangeState.REJECTED.value)

Check = Callable[[str, str], tuple[str, str]]
"""``check(phrase, target) -> (kind, phrase)``: the caller's check of a word against the model."""


class Vocabulary:
    """The learned words of one catalog store (``catalog.vocabulary``)."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    # -- reading -------------------------------------------------------------------------------------
    def get(self, word_id: int) -> dict[str, Any]:
        """One word; an unknown id is ``UnknownNameError``."""
        with self.catalog.engine.connect() as conn:
            return _dict(_row(conn, word_id))

    def entries(self, state: str | None = None, author: str | None = None) -> list[dict[str, Any]]:
        """Words (of one state, of one author), newest first."""
        q = sa.select(words).order_by(words.c.id.desc())
        if state:
            q = q.where(words.c.state == _state(state))
        if author:
            q = q.where(words.c.author == author)
        with self.catalog.engine.connect() as conn:
            return [_dict(r) for r in conn.execute(q)]

    def own(self, user: str | None) -> list[Word]:
        """The words that apply to ``user`` only (their drafts, words in review and rejected words)."""
        if not user:
            return []
        q = (
            sa.select(words.c.phrase, words.c.kind, words.c.target, words.c.author)
            .where(words.c.author == user, words.c.state.in_(OWN_STATES))
            .order_by(words.c.id)
        )
        with self.catalog.engine.connect() as conn:
            return [Word(r.phrase, r.kind, r.target, r.author) for r in conn.execute(q)]

    # -- teaching ------------------------------------------------------------------------------------
    def add(
        self,
        user: str,
        kind: str,
        phrase: str,
        target: str,
        *,
        submit: bool = True,
        question: str | None = None,
    ) -> dict[str, Any]:
        """Store ``phrase`` → ``target`` for ``user`` (editor) at once, and submit it for review.

        The word applies to ``user`` from now on. A word of theirs with the same phrase that is not
        shared yet is replaced (its target changes, back in review), not duplicated.
        """
        if kind not in KINDS:
            raise StoreError(f"unknown vocabulary kind {kind!r}", hint=f"Use one of {', '.join(KINDS)}.")
        at = now()
        with self.catalog._write() as conn:
            role = self.catalog.role(user, conn)
            mine = conn.execute(
                sa.select(words).where(
                    words.c.author == user, words.c.phrase == phrase, words.c.state.in_(OWN_STATES)
                )
            ).first()
            if mine is None:
                step = change_step(Action.CREATE, None, role=role, actor=user)
                pk = conn.execute(
                    sa.insert(words).values(
                        kind=kind,
                        phrase=phrase,
                        target=target,
                        author=user,
                        state=step.to_state,
                        version=1,
                        question=question,
                        created_at=at,
                        updated_at=at,
                    )
                ).inserted_primary_key
                word_id = int(pk[0]) if pk is not None else 0
            else:
                word_id = int(mine.id)
                step = change_step(Action.EDIT, _editable(mine.state), role=role, actor=user)
                _move(conn, mine, step.to_state, kind=kind, target=target, question=question, reason=None)
            was = mine.state if mine is not None else None
            _audit(conn, user, step.action.value, was, step.to_state, phrase, word_id, target)
            if submit and role.at_least(Role.EDITOR):
                row = _row(conn, word_id)
                sub = change_step(Action.SUBMIT, row.state, role=role, actor=user)
                _move(conn, row, sub.to_state)
                _audit(conn, user, "submit", sub.from_state, sub.to_state, phrase, word_id, target)
        return self.get(word_id)

    def edit(self, word_id: int, user: str, target: str, kind: str, *, submit: bool = True) -> dict[str, Any]:
        """Point the author's own word at another target (it goes back to review when ``submit``)."""
        row = self.get(word_id)
        self._author_only(row, user, "edit")
        return self.add(user, kind, str(row["phrase"]), target, submit=submit)

    def submit(self, word_id: int, user: str) -> dict[str, Any]:
        """Submit the author's draft for review (editor)."""
        with self.catalog._write() as conn:
            row = _row(conn, word_id)
            self._author_only(_dict(row), user, "submit")
            step = change_step(Action.SUBMIT, row.state, role=self.catalog.role(user, conn), actor=user)
            _move(conn, row, step.to_state)
            _audit(conn, user, "submit", step.from_state, step.to_state, row.phrase, word_id, row.target)
        return self.get(word_id)

    # -- review --------------------------------------------------------------------------------------
    def approve(self, word_id: int, user: str, check: Check) -> dict[str, Any]:
        """Share a word in review (an approver who is not its author): written to the vocabulary file.

        ``check`` validates the word against the model as it is now (a name may have appeared since it
        was taught). A shared word with the same phrase and another meaning is a ``ConflictError``.
        The store commits first and the file is written after (:meth:`_publish`): a crash in between
        leaves the word approved but not yet shared (the next vocabulary write shares it), never
        shared without an approval.
        """
        with self.catalog._files:
            with self.catalog._write() as conn:
                _serialise(conn)
                row = _row(conn, word_id)
                role = self.catalog.role(user, conn)
                step = change_step(Action.APPROVE, row.state, role=role, actor=user, author=row.author)
                kind, phrase = check(row.phrase, row.target)
                clash = [
                    w
                    for w in self._publishable(conn)
                    if w.phrase == phrase and (w.kind, w.target) != (kind, row.target)
                ]
                if clash:
                    raise ConflictError(
                        f"'{phrase}' already means {clash[0].target} for everyone",
                        hint=f"Remove the shared word first (metricmind vocabulary remove), then approve "
                        f"#{word_id} again.",
                    )
                _move(conn, row, step.to_state, reviewer=user, kind=kind, phrase=phrase)
                _audit(conn, user, "approve", step.from_state, step.to_state, phrase, word_id, row.target)
            self._publish()
        return self.get(word_id)

    def _publishable(self, conn: sa.Connection, drop: str | None = None) -> list[Word]:
        """The shared words: the file's (but ``drop``) with every approved word of the store over them."""
        approved = conn.execute(
            sa.select(words).where(words.c.state == ChangeState.APPROVED.value).order_by(words.c.id)
        ).all()
        mine = {r.phrase: Word(r.phrase, r.kind, r.target, r.author, r.reviewer or "") for r in approved}
        kept = [w for w in read_words(self.catalog.root) if w.phrase not in mine and w.phrase != drop]
        return [*kept, *(w for w in mine.values() if w.phrase != drop)]

    def _publish(self, drop: str | None = None) -> None:
        """Write the vocabulary file from the store's approved words (after their transaction committed).

        One writer at a time across processes (the store's write lock), so two approvals never lose one
        another's word; words only the file has (the old format, hand edits) are kept, except ``drop``.
        """
        with self.catalog._write() as conn:
            _serialise(conn)
            write_words(self.catalog.root, self._publishable(conn, drop))

    def reject(self, word_id: int, user: str, reason: str = "") -> dict[str, Any]:
        """Reject a word in review (approver), with a reason; it still applies to its author only."""
        with self.catalog._write() as conn:
            row = _row(conn, word_id)
            role = self.catalog.role(user, conn)
            step = change_step(Action.REJECT, row.state, role=role, actor=user, author=row.author)
            _move(conn, row, step.to_state, reviewer=user, reason=reason or None)
            _audit(
                conn, user, "reject", step.from_state, step.to_state, row.phrase, word_id, row.target, reason
            )
        return self.get(word_id)

    def remove(self, word_id: int, user: str) -> dict[str, Any]:
        """Delete a word: its author while it is theirs alone; an approver once it is shared."""
        with self.catalog._files:
            with self.catalog._write() as conn:
                _serialise(conn)
                row = _row(conn, word_id)
                role = self.catalog.role(user, conn)
                if row.state == ChangeState.APPROVED.value:
                    if not role.at_least(Role.APPROVER):
                        raise PermissionDenied(
                            f"word #{word_id} ('{row.phrase}') is shared; removing it needs an approver",
                            hint="Ask an approver to remove it.",
                        )
                else:
                    self._author_only(_dict(row), user, "remove")
                conn.execute(sa.delete(words).where(words.c.id == row.id))
                _audit(conn, user, "remove", row.state, None, row.phrase, word_id, row.target)
            if row.state == ChangeState.APPROVED.value:
                self._publish(drop=row.phrase)
        return _dict(row)

    def shared(self) -> list[Word]:
        """The shared words as the vocabulary file holds them (approved here, old-format or edited by hand)."""
        return read_words(self.catalog.root)

    def remove_shared(self, phrase: str, user: str) -> Word:
        """Remove a shared word by its phrase (approver), from the file and the store, with an audit entry.

        For words the store has no row for (the old ``learned_synonyms.yml``, a hand edit in git).
        """
        text = " ".join(phrase.split()).lower()
        with self.catalog._files:
            with self.catalog._write() as conn:
                _serialise(conn)
                role = self.catalog.role(user, conn)
                if not role.at_least(Role.APPROVER):
                    raise PermissionDenied(
                        f"'{text}' is shared; removing it needs an approver",
                        hint="Ask an approver to remove it.",
                    )
                shared = self._publishable(conn)
                found = [w for w in shared if w.phrase == text]
                if not found:
                    raise UnknownNameError("shared word", text, [w.phrase for w in shared])
                conn.execute(
                    sa.delete(words).where(
                        words.c.phrase == text, words.c.state == ChangeState.APPROVED.value
                    )
                )
                _audit(conn, user, "remove", ChangeState.APPROVED.value, None, text, 0, found[0].target)
            self._publish(drop=text)
        return found[0]

    @staticmethod
    def _author_only(row: dict[str, Any], user: str, action: str) -> None:
        if row["author"] != user:
            raise PermissionDenied(
                f"word #{row['id']} ('{row['phrase']}') is {row['author']}'s; only its author can {action} it",
                hint="Teach your own word instead (it applies to you at once, and to others after review).",
            )


def _serialise(conn: sa.Connection) -> None:
    """Hold the vocabulary's write lock until the transaction ends: SQLite's ``BEGIN IMMEDIATE`` already
    serialises writers; PostgreSQL takes a transaction-scoped advisory lock.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})


_LOCK_KEY = 0x6D6D766F63  # "mmvoc": metricmind's vocabulary file


def _editable(state: str) -> str:
    """A word in review is edited as if it were a draft (its review starts again)."""
    return ChangeState.DRAFT.value if state == ChangeState.IN_REVIEW.value else state


def _state(state: str) -> str:
    try:
        return ChangeState(state).value
    except ValueError:
        raise StoreError(
            f"unknown vocabulary state {state!r}",
            hint=f"Use one of {', '.join(s.value for s in ChangeState)}.",
        ) from None


def _row(conn: sa.Connection, word_id: int) -> Any:
    row = conn.execute(sa.select(words).where(words.c.id == word_id)).first()
    if row is None:
        raise UnknownNameError("word", str(word_id), [], context=" (no learned word has that id)")
    return row


def _move(conn: sa.Connection, row: Any, state: str, **values: Any) -> None:
    """Move a word to ``state`` iff nobody changed it since it was read (optimistic lock)."""
    done = conn.execute(
        sa.update(words)
        .where(words.c.id == row.id, words.c.version == row.version, words.c.state == row.state)
        .values(state=state, version=words.c.version + 1, updated_at=now(), **values)
    )
    if done.rowcount != 1:
        raise ConflictError(f"word #{row.id} was changed by someone else", hint="Reload and try again.")


def _audit(
    conn: sa.Connection,
    user: str,
    action: str,
    from_state: str | None,
    to_state: str | None,
    phrase: str,
    word_id: int,
    target: str,
    reason: str = "",
) -> None:
    detail: dict[str, Any] = {"word": word_id, "target": target}
    if reason:
        detail["reason"] = reason
    records.audit_event(conn, user, action, AUDIT_KIND, phrase, from_state, to_state, detail)


def _dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "phrase": row.phrase,
        "target": row.target,
        "author": row.author,
        "state": row.state,
        "shared": row.state == ChangeState.APPROVED.value,
        "version": row.version,
        "reviewer": row.reviewer,
        "reason": row.reason,
        "question": row.question,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
