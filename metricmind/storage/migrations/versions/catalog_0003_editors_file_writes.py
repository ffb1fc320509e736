"""catalog: co-authors of a change (``cat_changes.editors``) and pending YAML writes of approvals.

Revision ID: catalog_0003
Revises: catalog_0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0003"
down_revision = "catalog_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``cat_changes.editors`` and the ``cat_file_writes`` table."""
    with op.batch_alter_table("cat_changes") as batch:
        batch.add_column(sa.Column("editors", sa.JSON, nullable=True))
    op.create_table(
        "cat_file_writes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.Integer, nullable=False),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("staged", sa.String(1024), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cat_file_writes"),
    )


def downgrade() -> None:
    """Drop ``cat_file_writes`` and ``cat_changes.editors``."""
    op.drop_table("cat_file_writes")
    with op.batch_alter_table("cat_changes") as batch:
        batch.drop_column("editors")
