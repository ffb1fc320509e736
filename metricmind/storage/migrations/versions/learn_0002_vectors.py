"""learn: sentence embeddings of episodes and skills (``learn_vectors``).

Revision ID: learn_0002
Revises: learn_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "learn_0002"
down_revision = "learn_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the vectors table."""
    op.create_table(
        "learn_vectors",
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("kind", "item_id", "model", name="pk_learn_vectors"),
    )


def downgrade() -> None:
    """Drop it."""
    op.drop_table("learn_vectors")
