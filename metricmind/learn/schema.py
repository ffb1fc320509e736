"""The memory's tables: episodes, reflexion notes, skills, policy checkpoints, vectors (prefix ``learn_``).

Declared on the store's one ``metadata``; the Alembic branch ``learn``
(``storage/migrations/versions/learn_*``) creates them. See docs/learn.md.
"""

from __future__ import annotations

import sqlalchemy as sa

from metricmind.storage import metadata

episodes = sa.Table(
    "learn_episodes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("question", sa.Text, nullable=True),
    sa.Column("query", sa.JSON, nullable=True),
    sa.Column("pattern", sa.String(512), nullable=False, server_default=""),
    sa.Column("reading", sa.Text, nullable=True),
    sa.Column("action", sa.JSON, nullable=True),
    sa.Column("sql", sa.Text, nullable=True),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("rows", sa.BigInteger, nullable=True),
    sa.Column("elapsed_ms", sa.Float, nullable=True),
    sa.Column("feedback", sa.String(16), nullable=True),
    sa.Column("reward", sa.Float, nullable=True),
    sa.Column("user_name", sa.String(128), nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)
sa.Index("ix_learn_episodes_pattern", episodes.c.pattern)

reflexions = sa.Table(
    "learn_reflexions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("episode_id", sa.Integer, nullable=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("wrong", sa.Text, nullable=False),
    sa.Column("fix", sa.Text, nullable=False),
    sa.Column("author", sa.String(128), nullable=True),
    sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)

skills = sa.Table(
    "learn_skills",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("pattern", sa.String(512), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("template", sa.JSON, nullable=True),
    sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("successes", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("total_ms", sa.Float, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("last_used", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("kind", "pattern", name="uq_learn_skills_kind_pattern"),
)

checkpoints = sa.Table(
    "learn_checkpoints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("experiences", sa.BigInteger, nullable=False),
    sa.Column("state", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(), nullable=False),
)
sa.Index("ix_learn_checkpoints_name", checkpoints.c.name, checkpoints.c.id)

vectors = sa.Table(
    "learn_vectors",
    metadata,
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("item_id", sa.Integer, nullable=False),
    sa.Column("model", sa.String(64), nullable=False),
    sa.Column("vector", sa.LargeBinary, nullable=False),
    sa.PrimaryKeyConstraint("kind", "item_id", "model", name="pk_learn_vectors"),
)
"""Sentence embeddings of episodes and skills (float32 blobs), so a restart does not embed again."""
