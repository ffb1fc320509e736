"""knowledge: graph nodes and edges, query log, daily rollups, nightly runs and proposals.

Revision ID: knowledge_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "knowledge_0001"
down_revision = None
branch_labels = ("knowledge",)
depends_on = None


def upgrade() -> None:
    """Create the knowledge tables."""
    op.create_table(
        "kg_nodes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("key", sa.String(512), nullable=False),
        sa.Column("label", sa.String(512), nullable=False, server_default=""),
        sa.Column("props", sa.JSON, nullable=True),
        sa.Column("in_model", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_used", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kg_nodes"),
        sa.UniqueConstraint("kind", "key", name="uq_kg_nodes_kind_key"),
    )
    op.create_table(
        "kg_edges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("src", sa.Integer, nullable=False),
        sa.Column("dst", sa.Integer, nullable=False),
        sa.Column("key", sa.String(1024), nullable=False, server_default=""),
        sa.Column("in_model", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("total_ms", sa.Float, nullable=False, server_default="0"),
        sa.Column("timed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("last_used", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kg_edges"),
        sa.ForeignKeyConstraint(
            ["src"], ["kg_nodes.id"], name="fk_kg_edges_src_kg_nodes", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["dst"], ["kg_nodes.id"], name="fk_kg_edges_dst_kg_nodes", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("kind", "src", "dst", "key", name="uq_kg_edges_kind_src_dst_key"),
    )
    op.create_index("ix_kg_edges_dst", "kg_edges", ["dst", "kind"])
    op.create_table(
        "kg_texts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("hash", sa.String(40), nullable=False),
        sa.Column("dialect", sa.String(32), nullable=False),
        sa.Column("schema_name", sa.String(128), nullable=True),
        sa.Column("sql", sa.Text, nullable=False),
        sa.Column("fingerprint", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kg_texts"),
        sa.UniqueConstraint("hash", name="uq_kg_texts_hash"),
    )
    op.create_table(
        "kg_query_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("external_id", sa.String(256), nullable=False),
        sa.Column("text_id", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("user_name", sa.String(256), nullable=True),
        sa.Column("duration_ms", sa.Float, nullable=True),
        sa.Column("row_count", sa.BigInteger, nullable=True),
        sa.Column("calls", sa.Integer, nullable=False, server_default="1"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("metrics", sa.JSON, nullable=True),
        sa.Column("group_by", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kg_query_log"),
        sa.ForeignKeyConstraint(["text_id"], ["kg_texts.id"], name="fk_kg_query_log_text_id_kg_texts"),
        sa.UniqueConstraint("source", "external_id", name="uq_kg_query_log_source_external_id"),
    )
    op.create_table(
        "kg_fingerprints",
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("dialect", sa.String(32), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("normalized", sa.Text, nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("samples", sa.JSON, nullable=False),
        sa.Column("users", sa.JSON, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("filters", sa.JSON, nullable=True),
        sa.Column("calls", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("total_ms", sa.Float, nullable=False, server_default="0"),
        sa.Column("timed", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("fingerprint", name="pk_kg_fingerprints"),
    )
    op.create_table(
        "kg_usage_daily",
        sa.Column("fingerprint", sa.String(16), nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("calls", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("errors", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("total_ms", sa.Float, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("fingerprint", "day", name="pk_kg_usage_daily"),
    )
    op.create_index("ix_kg_usage_daily_day", "kg_usage_daily", ["day"])
    op.create_table(
        "kg_node_daily",
        sa.Column("node_id", sa.Integer, nullable=False),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("node_id", "day", name="pk_kg_node_daily"),
        sa.ForeignKeyConstraint(
            ["node_id"], ["kg_nodes.id"], name="fk_kg_node_daily_node_id_kg_nodes", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "kg_cursors",
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("value", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("source", "key", name="pk_kg_cursors"),
    )
    op.create_table(
        "kg_runs",
        sa.Column("as_of", sa.String(10), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("step", sa.String(32), nullable=False, server_default=""),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("branch", sa.String(256), nullable=True),
        sa.Column("commit", sa.String(64), nullable=True),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("notified", sa.JSON, nullable=True),
        sa.PrimaryKeyConstraint("as_of", name="pk_kg_runs"),
    )
    op.create_table(
        "kg_proposals",
        sa.Column("id", sa.String(16), nullable=False),
        sa.Column("key", sa.String(1024), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False, server_default="0"),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("first_run", sa.String(10), nullable=False),
        sa.Column("last_run", sa.String(10), nullable=False),
        sa.Column("branch", sa.String(256), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(256), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kg_proposals"),
        sa.UniqueConstraint("key", name="uq_kg_proposals_key"),
    )


def downgrade() -> None:
    """Drop the knowledge tables."""
    for table in (
        "kg_proposals",
        "kg_runs",
        "kg_cursors",
        "kg_node_daily",
        "kg_usage_daily",
        "kg_fingerprints",
        "kg_query_log",
        "kg_texts",
        "kg_edges",
        "kg_nodes",
    ):
        op.drop_table(table)
