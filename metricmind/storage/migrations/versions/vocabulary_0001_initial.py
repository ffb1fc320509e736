"""vocabulary: learned words of the question resolver, per author until approved (``cat_vocabulary``).

Revision ID: vocabulary_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "vocabulary_0001"
down_revision = None
branch_labels = ("vocabulary",)
depends_on = None


def upgrade() -> None:
    """Create ``cat_vocabulary`` and its indexes."""
    op.create_table(
        "cat_vocabulary",
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
    op.create_index("ix_cat_vocabulary_author", "cat_vocabulary", ["author", "state"])
    op.create_index("ix_cat_vocabulary_state", "cat_vocabulary", ["state", "id"])


def downgrade() -> None:
    """Drop ``cat_vocabulary``."""
    op.drop_index("ix_cat_vocabulary_state", table_name="cat_vocabulary")
    op.drop_index("ix_cat_vocabulary_author", table_name="cat_vocabulary")
    op.drop_table("cat_vocabulary")
