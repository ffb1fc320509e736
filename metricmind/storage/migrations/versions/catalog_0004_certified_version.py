"""catalog: certification belongs to a definition version; deprecations name a successor and a sunset.

Revision ID: catalog_0004
Revises: catalog_0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0004"
down_revision = "catalog_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``cat_definitions.certified_fingerprint``, ``successor`` and ``sunset``."""
    with op.batch_alter_table("cat_definitions") as batch:
        batch.add_column(sa.Column("certified_fingerprint", sa.String(64), nullable=True))
        batch.add_column(sa.Column("successor", sa.String(256), nullable=True))
        batch.add_column(sa.Column("sunset", sa.String(10), nullable=True))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("cat_definitions") as batch:
        batch.drop_column("sunset")
        batch.drop_column("successor")
        batch.drop_column("certified_fingerprint")
