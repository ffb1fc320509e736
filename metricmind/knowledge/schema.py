"""The knowledge graph's tables: nodes, weighted edges, the query log and its daily rollups, proposals.

Plain node and edge tables with usage counters updated in the same transaction as the log records
they count (see DESIGN.md, "Stores"). Every table is prefixed ``kg_`` and declared on the store's one
``metadata``; the Alembic branch ``knowledge`` (``storage/migrations/versions/knowledge_*``) creates them.
"""

from __future__ import annotations

import enum

import sqlalchemy as sa

from metricmind.storage import metadata


class NodeKind(str, enum.Enum):
    """What a node stands for."""

    QUERY = "query"
    TABLE = "table"
    COLUMN = "column"
    METRIC = "metric"
    DIMENSION = "dimension"
    CANONICAL = "canonical_dataset"


class EdgeKind(str, enum.Enum):
    """How two nodes relate.

    ``ACCESSES`` query → table/column; ``CALCULATES`` query → metric; ``JOIN_PATH`` table → table (one
    per join condition, ``left < right``); ``HAS_DIMENSION`` metric → dimension; ``COMPUTED_FROM``
    metric → metric/table/column, dimension → column, canonical dataset → table.
    """

    ACCESSES = "ACCESSES"
    CALCULATES = "CALCULATES"
    JOIN_PATH = "JOIN_PATH"
    HAS_DIMENSION = "HAS_DIMENSION"
    COMPUTED_FROM = "COMPUTED_FROM"


nodes = sa.Table(
    "kg_nodes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("key", sa.String(512), nullable=False),
    sa.Column("label", sa.String(512), nullable=False, server_default=""),
    sa.Column("props", sa.JSON, nullable=True),
    sa.Column("in_model", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_used", sa.DateTime(), nullable=True),
    sa.UniqueConstraint("kind", "key", name="uq_kg_nodes_kind_key"),
)

edges = sa.Table(
    "kg_edges",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("src", sa.Integer, sa.ForeignKey("kg_nodes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("dst", sa.Integer, sa.ForeignKey("kg_nodes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(1024), nullable=False, server_default=""),
    sa.Column("in_model", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("total_ms", sa.Float, nullable=False, server_default="0"),
    sa.Column("timed", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_used", sa.DateTime(), nullable=True),
    sa.UniqueConstraint("kind", "src", "dst", "key", name="uq_kg_edges_kind_src_dst_key"),
)
sa.Index("ix_kg_edges_dst", edges.c.dst, edges.c.kind)

texts = sa.Table(
    "kg_texts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("hash", sa.String(40), nullable=False, unique=True),
    sa.Column("dialect", sa.String(32), nullable=False),
    sa.Column("schema_name", sa.String(128), nullable=True),
    sa.Column("sql", sa.Text, nullable=False),
    sa.Column("fingerprint", sa.String(16), nullable=True),
)

query_log = sa.Table(
    "kg_query_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", sa.String(128), nullable=False),
    sa.Column("external_id", sa.String(256), nullable=False),
    sa.Column("text_id", sa.Integer, sa.ForeignKey("kg_texts.id"), nullable=False),
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("user_name", sa.String(256), nullable=True),
    sa.Column("duration_ms", sa.Float, nullable=True),
    sa.Column("row_count", sa.BigInteger, nullable=True),
    sa.Column("calls", sa.Integer, nullable=False, server_default="1"),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("metrics", sa.JSON, nullable=True),
    sa.Column("group_by", sa.JSON, nullable=True),
    sa.UniqueConstraint("source", "external_id", name="uq_kg_query_log_source_external_id"),
)

fingerprints = sa.Table(
    "kg_fingerprints",
    metadata,
    sa.Column("fingerprint", sa.String(16), primary_key=True),
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
)

usage_daily = sa.Table(
    "kg_usage_daily",
    metadata,
    sa.Column("fingerprint", sa.String(16), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("calls", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("errors", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("total_ms", sa.Float, nullable=False, server_default="0"),
)
sa.Index("ix_kg_usage_daily_day", usage_daily.c.day)

node_daily = sa.Table(
    "kg_node_daily",
    metadata,
    sa.Column("node_id", sa.Integer, sa.ForeignKey("kg_nodes.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("day", sa.Date, primary_key=True),
    sa.Column("uses", sa.BigInteger, nullable=False, server_default="0"),
)

cursors = sa.Table(
    "kg_cursors",
    metadata,
    sa.Column("source", sa.String(128), primary_key=True),
    sa.Column("key", sa.String(256), primary_key=True),
    sa.Column("value", sa.JSON, nullable=False),
)

runs = sa.Table(
    "kg_runs",
    metadata,
    sa.Column("as_of", sa.String(10), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("step", sa.String(32), nullable=False, server_default=""),
    sa.Column("started_at", sa.DateTime(), nullable=False),
    sa.Column("finished_at", sa.DateTime(), nullable=True),
    sa.Column("branch", sa.String(256), nullable=True),
    sa.Column("commit", sa.String(64), nullable=True),
    sa.Column("summary", sa.JSON, nullable=True),
    sa.Column("notified", sa.JSON, nullable=True),
)

proposals = sa.Table(
    "kg_proposals",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("key", sa.String(1024), nullable=False, unique=True),
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
)
