"""learn: episodes, reflexion notes, skills and policy checkpoints (``learn_*``).

Revision ID: learn_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "learn_0001"
down_revision = None
branch_labels = ("learn",)
depends_on = None


def upgrade() -> None:
    """Create the memory's tables."""
    op.create_table(
        "learn_episodes",
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
        sa.PrimaryKeyConstraint("id", name="pk_learn_episodes"),
    )
    op.create_index("ix_learn_episodes_pattern", "learn_episodes", ["pattern"])
    op.create_table(
        "learn_reflexions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("episode_id", sa.Integer, nullable=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("wrong", sa.Text, nullable=False),
        sa.Column("fix", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=True),
        sa.Column("reviewed", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learn_reflexions"),
    )
    op.create_table(
        "learn_skills",
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
        sa.PrimaryKeyConstraint("id", name="pk_learn_skills"),
        sa.UniqueConstraint("kind", "pattern", name="uq_learn_skills_kind_pattern"),
    )
    op.create_table(
        "learn_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("experiences", sa.BigInteger, nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learn_checkpoints"),
    )
    op.create_index("ix_learn_checkpoints_name", "learn_checkpoints", ["name", "id"])


def downgrade() -> None:
    """Drop the memory's tables."""
    op.drop_index("ix_learn_checkpoints_name", table_name="learn_checkpoints")
    op.drop_table("learn_checkpoints")
    op.drop_table("learn_skills")
    op.drop_table("learn_reflexions")
    op.drop_index("ix_learn_episodes_pattern", table_name="learn_episodes")
    op.drop_table("learn_episodes")
