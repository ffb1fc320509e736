"""catalog: executions remember the spool record they came from (ingesting a spool twice counts once).

Revision ID: catalog_0002
Revises: catalog_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0002"
down_revision = "catalog_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``cat_executions.spool_id`` (unique when present)."""
    with op.batch_alter_table("cat_executions") as batch:
        batch.add_column(sa.Column("spool_id", sa.String(36), nullable=True))
        batch.create_index("ux_cat_executions_spool_id", ["spool_id"], unique=True)


def downgrade() -> None:
    """Drop ``cat_executions.spool_id``."""
    with op.batch_alter_table("cat_executions") as batch:
        batch.drop_index("ux_cat_executions_spool_id")
        batch.drop_column("spool_id")
