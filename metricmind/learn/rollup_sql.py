"""SQL of rollups kept in a server warehouse (PostgreSQL): DDL from known names, and the change tracking
that keeps a rollup from ever being read stale.

Everything here is built with sqlglot from names the learner made (``r_<hex>`` tables) or validated
(the schema: :func:`check_schema`); the only other text is the compiled source query of the rollup,
which our compiler produced.

**Change tracking.** PostgreSQL has no cheap, exact "this table changed" signal (its statistics are
flushed lazily, and the WAL position moves on any write anywhere, including the rollups' own builds).
So each source table of a kept rollup gets a statement-level trigger
(:data:`TRIGGER`, ``AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE``) that bumps the table's counter in
``<schema>.versions`` in the writing transaction itself. A table's *version* is its oid, its file node
(a rewrite or ``TRUNCATE`` gives another) and the counter, and only while the trigger is present and
enabled (:func:`versions_query`); a rollup records the versions of its sources read in the snapshot
that built it, and is used only while they are the same. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import sqlglot
from sqlglot import exp

from metricmind.errors import MetricmindError

DIALECT = "postgres"
#: The trigger's name on every tracked source table.
TRIGGER = "metricmind_rollup_version"
#: The bump function's name (in the rollup schema).
FUNCTION = "metricmind_bump_version"
#: The counters' table (in the rollup schema).
VERSIONS = "versions"
_SCHEMA = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
#: Names of the tables (and views) the learner makes: ``r_<16 hex>_<generation>``.
TABLE_NAME = re.compile(r"^r_[0-9a-f]{16}_[0-9]+$")


def check_schema(name: str) -> str:
    """``name`` when it is a plain identifier (letters, digits, ``_``; at most 63), else a clear error.

    Raises:
        MetricmindError: anything else.
    """
    if not _SCHEMA.match(name) or name.lower().startswith("pg_") or name.lower() == "information_schema":
        raise MetricmindError(
            f"learn.rollups_schema {name!r} is not a schema name the learner may own",
            hint="Use letters, digits and underscores (not starting with pg_), e.g. metricmind_rollups.",
        )
    return name


def ident(name: str, dialect: str = DIALECT) -> str:
    """``name`` as a quoted identifier (PostgreSQL's by default)."""
    return exp.to_identifier(name, quoted=True).sql(dialect=dialect)


def table(schema: str, name: str, dialect: str = DIALECT) -> str:
    """``"schema"."name"`` (`` `schema`.`name` `` on Spark)."""
    return exp.Table(
        this=exp.to_identifier(name, quoted=True), db=exp.to_identifier(schema, quoted=True)
    ).sql(dialect=dialect)


def literal(text: str) -> str:
    """``text`` as a SQL string literal."""
    return exp.Literal.string(text).sql(dialect=DIALECT)


def setup(schema: str) -> list[str]:
    """The schema, the counters' table and the bump function (idempotent)."""
    s = ident(schema)
    versions = table(schema, VERSIONS)
    function = table(schema, FUNCTION)
    body = (
        f"BEGIN INSERT INTO {versions} (relid, version) VALUES (TG_RELID, 1) "
        f"ON CONFLICT (relid) DO UPDATE SET version = {versions}.version + 1; RETURN NULL; END"
    )
    return [
        exp.Create(
            this=exp.Table(this=exp.to_identifier(schema, quoted=True)), kind="SCHEMA", exists=True
        ).sql(dialect=DIALECT),
        f"CREATE TABLE IF NOT EXISTS {versions} (relid oid PRIMARY KEY, version bigint NOT NULL)",
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql "
        f"SET search_path = pg_catalog, {s} AS {literal(body)}",
    ]


def track(schema: str, source: tuple[str, str]) -> list[str]:
    """The statements that put the version trigger on table ``source`` (``(schema, name)``), replacing it."""
    target = table(*source)
    return [
        f"DROP TRIGGER IF EXISTS {ident(TRIGGER)} ON {target}",
        f"CREATE TRIGGER {ident(TRIGGER)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {target} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table(schema, FUNCTION)}()",
    ]


def versions_query(schema: str, sources: Sequence[tuple[str, str]]) -> str:
    """One row per source: ``name``, its kind (``r``/``p`` a table), and its version (NULL: untracked).

    A source that does not exist gives NULLs.
    """
    names = ", ".join(f"({literal(f'{ident(s)}.{ident(n)}')})" for s, n in sources)
    return (
        "SELECT q.name, c.relkind::text, CASE WHEN t.oid IS NULL THEN NULL ELSE "
        "c.oid::text || '.' || c.relfilenode::text || '.' || COALESCE(v.version, 0)::text END "
        f"FROM (VALUES {names}) AS q(name) "
        "LEFT JOIN pg_class c ON c.oid = to_regclass(q.name) "
        f"LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgname = {literal(TRIGGER)} "
        "AND t.tgenabled <> 'D' "
        f"LEFT JOIN {table(schema, VERSIONS)} v ON v.relid = c.oid"
    )


def source_tables(sql: str, default_schema: str = "public", dialect: str = DIALECT) -> list[tuple[str, str]]:
    """The tables a compiled query reads, ``(schema, name)`` (CTE names left out), sorted.

    Raises:
        MetricmindError: the SQL does not parse.
    """
    try:
        tree = sqlglot.parse_one(sql, dialect=dialect)
    except sqlglot.errors.ParseError as exc:
        raise MetricmindError(f"cannot read the tables of a rollup's source query: {exc}") from exc
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    out: set[tuple[str, str]] = set()
    for t in tree.find_all(exp.Table):
        if not t.name or (not t.db and t.name in ctes):
            continue
        out.add((t.db or default_schema, t.name))
    return sorted(out)


def version_of(tokens: dict[str, str | None], sources: Iterable[tuple[str, str]]) -> str | None:
    """A rollup's data version from its sources' tokens (None when one is untracked or missing)."""
    parts = []
    for s, n in sources:
        token = tokens.get(f"{ident(s)}.{ident(n)}")
        if token is None:
            return None
        parts.append(f"{s}.{n}={token}")
    return "pgv:" + "|".join(parts)


def create_as(kind: str, schema: str, name: str, source: str, dialect: str = DIALECT) -> str:
    """``CREATE TABLE|VIEW "schema"."name" AS <source>`` (a Spark table is Parquet files)."""
    if kind not in ("table", "view"):
        raise ValueError(f"unknown object kind {kind!r}")
    using = " USING parquet" if dialect == "spark" and kind == "table" else ""
    return f"CREATE {kind.upper()} {table(schema, name, dialect)}{using} AS {source}"


def drop(kind: str, schema: str, name: str, dialect: str = DIALECT) -> str:
    """``DROP TABLE|VIEW IF EXISTS "schema"."name"``."""
    if kind not in ("table", "view"):
        raise ValueError(f"unknown object kind {kind!r}")
    return exp.Drop(
        tables=[
            exp.Table(this=exp.to_identifier(name, quoted=True), db=exp.to_identifier(schema, quoted=True))
        ],
        kind=kind.upper(),
        exists=True,
    ).sql(dialect=dialect)


def grant_read(schema: str, name: str, role: str) -> list[str]:
    """Let the warehouse's reader role read one rollup."""
    return [
        f"GRANT USAGE ON SCHEMA {ident(schema)} TO {ident(role)}",
        f"GRANT SELECT ON {table(schema, name)} TO {ident(role)}",
    ]


def refresh(schema: str, name: str, source: str, day: str, cut: str) -> list[str]:
    """The incremental refresh of a day rollup: its days from ``cut`` (an ISO date, validated) recomputed."""
    import datetime as dt

    day_cut = dt.date.fromisoformat(cut).isoformat()
    target = table(schema, name)
    column = ident(day)
    return [
        f"DELETE FROM {target} WHERE {column} >= DATE {literal(day_cut)}",
        f"INSERT INTO {target} SELECT * FROM ({source}) AS s WHERE {column} >= DATE {literal(day_cut)}",
    ]


def orphans_query(schema: str) -> str:
    """The learner's tables and views in ``schema`` (name, ``r`` or ``v``)."""
    return (
        "SELECT c.relname, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = {literal(schema)} AND c.relkind IN ('r', 'v') AND c.relname LIKE 'r\\_%'"
    )
