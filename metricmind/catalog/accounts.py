"""Users and their tokens: who may do what in the catalog.

A user has a name and a role (viewer, editor, approver, admin; ``metricmind.catalog.workflow.Role``).
A token is shown once when the user is added; the store keeps only its SHA-256. Every other part of
the catalog asks ``role`` before a workflow step.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa

from metricmind.catalog import definitions as defs
from metricmind.catalog import records
from metricmind.catalog import usage as use
from metricmind.catalog.base import CatalogBase
from metricmind.catalog.schema import users
from metricmind.catalog.workflow import Role, role_of
from metricmind.errors import PermissionDenied, StoreError


def hash_token(token: str) -> str:
    """The SHA-256 of a token (the only thing the store keeps)."""
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts(CatalogBase):
    """Adding users, finding a token's user, and the role of a user."""

    def add_user(self, name: str, role: str) -> str:
        """Create ``name`` with ``role`` (or give an existing user that role and a new token); the token.

        The token is printed once and never stored: the store keeps its SHA-256.
        """
        name = defs.check_text(name.strip(), "user name", defs.MAX_NAME)
        if not name:
            raise StoreError("a user needs a name", hint="metricmind users add NAME --role ROLE")
        r = role_of(role)
        token = secrets.token_urlsafe(24)
        at = use.now()
        with self._write() as conn:
            found = conn.execute(sa.select(users.c.id, users.c.role).where(users.c.name == name)).first()
            if found is None:
                conn.execute(
                    sa.insert(users).values(
                        name=name, role=r.value, token_hash=hash_token(token), created_at=at, updated_at=at
                    )
                )
            else:
                conn.execute(
                    sa.update(users)
                    .where(users.c.id == found.id)
                    .values(role=r.value, token_hash=hash_token(token), updated_at=at)
                )
            records.audit_event(
                conn,
                None,
                "add_user" if found is None else "update_user",
                "user",
                name,
                found.role if found else None,
                r.value,
            )
        return token

    def users(self) -> list[dict[str, Any]]:
        """Every user (name, role, created_at), by name; tokens are not stored."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(users.c.name, users.c.role, users.c.created_at).order_by(users.c.name)
            )
            return [{"name": r.name, "role": r.role, "created_at": r.created_at} for r in rows]

    def user_for_token(self, token: str) -> dict[str, str] | None:
        """``{"name", "role"}`` of the token's user, or None."""
        if not token:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(users.c.name, users.c.role).where(users.c.token_hash == hash_token(token))
            ).first()
        return {"name": row.name, "role": row.role} if row else None

    def role(self, user: str, conn: sa.Connection | None = None) -> Role:
        """The role of ``user``; an unknown user is ``PermissionDenied``."""
        q = sa.select(users.c.role).where(users.c.name == user)
        if conn is None:
            with self.engine.connect() as c:
                found = c.execute(q).scalar()
        else:
            found = conn.execute(q).scalar()
        if found is None:
            raise PermissionDenied(
                f"unknown user '{user}'", hint="An admin creates users: metricmind users add NAME --role R"
            )
        return role_of(str(found))
