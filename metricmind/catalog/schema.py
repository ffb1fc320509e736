"""The catalog's tables (prefix ``cat_``), declared on the store's one ``metadata``.

The Alembic branch ``catalog`` (``storage/migrations/versions/catalog_*``) creates them; keep both in
step. Times are naive UTC. Tokens are never stored, only their SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa

from metricmind.storage import metadata

users = sa.Table(
    "cat_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(128), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)

#: The metrics and canonical datasets the project's YAML defines (synced from it), with their status.
definitions = sa.Table(
    "cat_definitions",
    metadata,
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
    # what the certified version computes (``catalog.fingerprint``): a change of it drops the badge
    sa.Column("certified_fingerprint", sa.String(64), nullable=True),
    # a deprecation's successor (a metric or dataset name) and sunset date (ISO)
    sa.Column("successor", sa.String(256), nullable=True),
    sa.Column("sunset", sa.String(10), nullable=True),
    sa.UniqueConstraint("kind", "name", name="uq_cat_definitions_kind_name"),
)

#: Proposed definitions (drafts); ``version`` is the optimistic-concurrency counter; ``editors`` lists the
#: users other than the author who edited any version (co-authors: none of them may approve it).
changes = sa.Table(
    "cat_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("editors", sa.JSON, nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("reviewer", sa.String(128), nullable=True),
    sa.Column("published_version", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.Column("updated_at", sa.DateTime(), nullable=False),
)
sa.Index("ix_cat_changes_state", changes.c.state, changes.c.id)

#: Approved YAML not yet renamed into place: written in the approval's transaction, deleted once the
#: file holds ``text``. ``Catalog.recover`` finishes any left by a crash (``metricmind.catalog.filewrites``).
file_writes = sa.Table(
    "cat_file_writes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("change_id", sa.Integer, nullable=False),
    sa.Column("path", sa.String(1024), nullable=False),
    sa.Column("staged", sa.String(1024), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("at", sa.DateTime(), nullable=False),
)

reviews = sa.Table(
    "cat_reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("change_id", sa.Integer, sa.ForeignKey("cat_changes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reviewer", sa.String(128), nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("at", sa.DateTime(), nullable=False),
)

#: Every published version of a definition, with the unified diff from the one before.
versions = sa.Table(
    "cat_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.String(256), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("yaml", sa.Text, nullable=False),
    sa.Column("diff", sa.Text, nullable=False, server_default=""),
    sa.Column("author", sa.String(128), nullable=False),
    sa.Column("change_id", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(), nullable=False),
    sa.UniqueConstraint("kind", "name", "version", name="uq_cat_versions_kind_name_version"),
)

#: Append-only: who did what to which subject, from which state to which.
audit = sa.Table(
    "cat_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(), nullable=False),
    sa.Column("user_name", sa.String(128), nullable=True),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("subject", sa.String(256), nullable=False),
    sa.Column("from_state", sa.String(16), nullable=True),
    sa.Column("to_state", sa.String(16), nullable=True),
    sa.Column("detail", sa.JSON, nullable=True),
)
sa.Index("ix_cat_audit_subject", audit.c.subject, audit.c.id)

executions = sa.Table(
    "cat_executions",
    metadata,
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
    # the spool record an execution was ingested from (``metricmind.catalog.spool``), unique when set
    sa.Column("spool_id", sa.String(36), nullable=True),
)
sa.Index("ux_cat_executions_spool_id", executions.c.spool_id, unique=True)

#: One row per (execution, metric), so usage counts are one indexed GROUP BY on any backend.
execution_metrics = sa.Table(
    "cat_execution_metrics",
    metadata,
    sa.Column(
        "execution_id",
        sa.Integer,
        sa.ForeignKey("cat_executions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("metric", sa.String(256), primary_key=True),
    sa.Column("at", sa.DateTime(), nullable=False),
)
sa.Index("ix_cat_execution_metrics_metric", execution_metrics.c.metric, execution_metrics.c.at)
sa.Index("ix_cat_execution_metrics_at", execution_metrics.c.at)
