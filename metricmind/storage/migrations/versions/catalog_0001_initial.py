"""catalog: users, definitions index, changes, reviews, versions, audit log, executions.

Revision ID: catalog_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "catalog_0001"
down_revision = None
branch_labels = ("catalog",)
depends_on = None


def upgrade() -> None:
    """Create the catalog tables."""
    op.create_table(
        "cat_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cat_users"),
        sa.UniqueConstraint("name", name="uq_cat_users_name"),
        sa.UniqueConstraint("token_hash", name="uq_cat_users_token_hash"),
    )
    op.create_table(
        "cat_definitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("label", sa.String(512), nullable=False, server_default=""),
        sa.Column("category", sa.String(256), nullable=False, server_default=""),
        sa.Column("owner", sa.String(256), nullable=False, server_default=""),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("certified", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("yaml_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("yaml_status", sa.String(16), nullable=True),
        sa.Column("file", sa.String(1024), nullable=True),
        sa.Column("in_project", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cat_definitions"),
        sa.UniqueConstraint("kind", "name", name="uq_cat_definitions_kind_name"),
    )
    op.create_table(
        "cat_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("reviewer", sa.String(128), nullable=True),
        sa.Column("published_version", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cat_changes"),
    )
    op.create_index("ix_cat_changes_state", "cat_changes", ["state", "id"])
    op.create_table(
        "cat_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.Integer, nullable=False),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cat_reviews"),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["cat_changes.id"],
            name="fk_cat_reviews_change_id_cat_changes",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "cat_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("yaml", sa.Text, nullable=False),
        sa.Column("diff", sa.Text, nullable=False, server_default=""),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("change_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cat_versions"),
        sa.UniqueConstraint("kind", "name", "version", name="uq_cat_versions_kind_name_version"),
    )
    op.create_table(
        "cat_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(256), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cat_audit"),
    )
    op.create_index("ix_cat_audit_subject", "cat_audit", ["subject", "id"])
    op.create_table(
        "cat_executions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(128), nullable=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("query", sa.JSON, nullable=False),
        sa.Column("sql", sa.Text, nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("row_count", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_cat_executions"),
    )
    op.create_table(
        "cat_execution_metrics",
        sa.Column("execution_id", sa.Integer, nullable=False),
        sa.Column("metric", sa.String(256), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("execution_id", "metric", name="pk_cat_execution_metrics"),
        sa.ForeignKeyConstraint(
            ["execution_id"],
            ["cat_executions.id"],
            name="fk_cat_execution_metrics_execution_id_cat_executions",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_cat_execution_metrics_metric", "cat_execution_metrics", ["metric", "at"])
    op.create_index("ix_cat_execution_metrics_at", "cat_execution_metrics", ["at"])


def downgrade() -> None:
    """Drop the catalog tables."""
    for table in (
        "cat_execution_metrics",
        "cat_executions",
        "cat_audit",
        "cat_versions",
        "cat_reviews",
        "cat_changes",
        "cat_definitions",
        "cat_users",
    ):
        op.drop_table(table)
