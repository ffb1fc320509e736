"""A seeded warehouse for a semantic layer that comes without data (MetricFlow's own test manifests).

:func:`infer_tables` reads what every semantic model needs of its table: each ``expr`` (entities,
dimensions, measures, validity params) is parsed with sqlglot and its columns are typed from how they are
used (time dimensions are dates, or timestamps below a day; ``sum_boolean`` and ``is_*`` columns are
booleans; numeric aggregations take numbers; entity columns are keys; a column compared with a string
literal is a string that takes that value sometimes). :func:`generate` fills the tables: primary and unique
entities are unique, foreign keys are drawn from the referenced entity's keys plus a few orphans and
nulls, dates spread over two years, and a type II dimension gets consecutive validity windows per key.
:func:`spine_tables` builds the time spines a ``project_configuration`` names. The same seed gives the
same rows; :func:`write_duckdb` loads them into one DuckDB file, which both engines read.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from metricmind.testing.rawload import RawTable, load_raw

START = dt.date(2023, 1, 1)
DAYS = 730  # two years of data
SPINE_START = dt.date(2022, 1, 1)
SPINE_END = dt.date(2025, 12, 31)
SUB_DAY = ("nanosecond", "microsecond", "millisecond", "second", "minute", "hour")
KINDS = ("key", "timestamp", "date", "bool", "number", "string")
"""Column kinds, strongest first: a column used as two kinds takes the stronger."""
SQL_TYPES = {
    "key": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "bool": "BOOLEAN",
    "number": "BIGINT",
    "string": "VARCHAR",
}
NUMERIC_AGGS = {"sum", "average", "avg", "min", "max", "median", "percentile"}
UNIQUE_ENTITIES = {"primary", "unique", "natural"}


@dataclass
class Column:
    """What a table's column must be: its kind, the grain of a time column, the entity a key holds."""

    kind: str
    grain: str = "day"
    entity: str | None = None  # the entity whose keys a key column holds
    unique: bool = False  # the primary or unique key of its table
    literals: set[str] = field(default_factory=set)  # string values the YAML compares it with


@dataclass
class Table:
    """One relation a semantic model reads: its columns, and a type II validity window when it has one."""

    name: str
    columns: dict[str, Column] = field(default_factory=dict)
    has_measures: bool = False
    validity: tuple[str, str] | None = None  # (start column, end column)

    def need(self, name: str, column: Column) -> None:
        """Record that the table needs ``name`` as ``column`` (the stronger kind wins)."""
        have = self.columns.get(name)
        if have is None:
            self.columns[name] = column
            return
        if KINDS.index(column.kind) < KINDS.index(have.kind):
            column.literals |= have.literals
            column.unique = column.unique or have.unique
            self.columns[name] = column
        else:
            have.literals |= column.literals
            have.unique = have.unique or column.unique
            if column.kind == have.kind and column.grain in SUB_DAY:
                have.grain = column.grain


def columns_of(expr: str, *, condition: bool = False) -> tuple[list[str], set[str], set[str]]:
    """The columns ``expr`` reads, those it uses as conditions, and the string literals it compares with
    (``condition``: ``expr`` is a filter, so a bare column is a condition too).

    An expression that does not parse reads no columns (the engines then refuse it, as they should).
    """
    try:
        tree = sqlglot.parse_one(expr, read="duckdb")
    except sqlglot.errors.ParseError:
        return [], set(), set()
    names = [c.name for c in tree.find_all(exp.Column) if c.name]
    conditions: set[str] = set()
    literals: set[str] = set()
    if condition and isinstance(tree, exp.Column):
        conditions.add(tree.name)
    for cond in tree.find_all(exp.If, exp.Not, exp.And, exp.Or):
        parts: list[Any] = [cond.this, cond.args.get("expression")]
        conditions |= {p.name for p in parts if isinstance(p, exp.Column)}
    for comparison in tree.find_all(exp.EQ, exp.NEQ, exp.In):
        literals |= {lit.this for lit in comparison.find_all(exp.Literal) if lit.is_string}
    for comparison in tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE):
        sides = (comparison.this, comparison.expression)
        if any(isinstance(x, exp.Literal) and not x.is_string for x in sides):
            literals |= {f"{NUMBER}{x.name}" for x in sides if isinstance(x, exp.Column)}
    return list(dict.fromkeys(names)), conditions, literals


NUMBER = "\x00number:"
"""Marks, among a column's literals, that it is compared with a number (so it is a number)."""
_CALL = re.compile(r"\{\{\s*(?:Dimension|TimeDimension|Entity)\(\s*'([^']+)'[^}]*\}\}")


def filter_usage(filters: Iterable[str]) -> dict[str, Column]:
    """What the where filters of metrics and saved queries say of the dimensions they name (by the
    dimension's own name, the last part of ``entity__name``): a condition is a boolean, a comparison with
    a number a number, one with a string a string that takes that value.
    """
    out: dict[str, Column] = {}
    for text in filters:
        names: dict[str, str] = {}

        def place(match: re.Match[str], names: dict[str, str] = names) -> str:
            names[f"d{len(names)}"] = match.group(1).split("__")[-1]
            return f"d{len(names) - 1}"

        _, conditions, literals = columns_of(_CALL.sub(place, text), condition=True)
        for alias, name in names.items():
            if alias in conditions:
                out[name] = Column("bool")
            elif f"{NUMBER}{alias}" in literals:
                out[name] = Column("number")
            else:
                strings = {lit for lit in literals if not lit.startswith(NUMBER)}
                out.setdefault(name, Column("string")).literals |= strings
    return out


def _grain(dim: Mapping[str, Any]) -> str:
    params = dim.get("type_params") or {}
    return str(params.get("time_granularity") or "day").lower()


def infer_tables(models: Iterable[Mapping[str, Any]], filters: Iterable[str] = ()) -> dict[str, Table]:
    """The tables MetricFlow-format ``semantic_model`` documents read, with the columns each needs
    (``filters``: the where filters of metrics and saved queries, which type the dimensions they name).
    """
    usage = filter_usage(filters)
    tables: dict[str, Table] = {}
    for sm in models:
        alias = str((sm.get("node_relation") or {}).get("alias") or sm.get("name"))
        table = tables.setdefault(alias, Table(alias))
        validity: dict[str, str] = {}
        for dim in sm.get("dimensions") or []:
            expr = str(dim.get("expr") or dim["name"])
            names, conditions, literals = columns_of(expr)
            if str(dim.get("type")).lower() == "time":
                grain = _grain(dim)
                kind = "timestamp" if grain in SUB_DAY else "date"
                for name in names:
                    table.need(name, Column(kind, grain))
                params = (dim.get("type_params") or {}).get("validity_params") or {}
                for flag in ("is_start", "is_end"):
                    if params.get(flag) and names:
                        validity[flag] = names[0]
                continue
            boolean = str(dim["name"]).startswith(("is_", "has_"))
            used = usage.get(str(dim["name"]))
            for name in names:
                kind = "bool" if boolean or name in conditions else "string"
                if used is not None and len(names) == 1:
                    kind = "bool" if boolean else used.kind
                    literals = literals | used.literals
                table.need(name, Column(kind, literals={x for x in literals if not x.startswith(NUMBER)}))
        if "is_start" in validity or "is_end" in validity:
            table.validity = (validity.get("is_start", ""), validity.get("is_end", ""))
        primary = sm.get("primary_entity")
        for ent in sm.get("entities") or []:
            names, _, _ = columns_of(str(ent.get("expr") or ent["name"]))
            kind = str(ent.get("type")).lower()
            unique = kind in {"primary", "unique"} and table.validity is None and len(names) == 1
            for name in names:
                table.need(name, Column("key", entity=str(ent["name"]), unique=unique))
        if primary and not any(
            str(e.get("type")).lower() in UNIQUE_ENTITIES for e in sm.get("entities") or []
        ):
            table.columns.setdefault(f"{primary}_rowid", Column("key", entity=str(primary), unique=True))
        for measure in sm.get("measures") or []:
            table.has_measures = True
            expr = measure.get("expr")
            names, conditions, literals = columns_of(str(expr if expr is not None else measure["name"]))
            agg = str(measure.get("agg")).lower()
            for name in names:
                if agg == "sum_boolean" or name in conditions:
                    kind = "bool"
                elif agg in NUMERIC_AGGS or f"{NUMBER}{name}" in literals:
                    kind = "number"
                else:
                    kind = "string"
                table.need(name, Column(kind, literals={x for x in literals if not x.startswith(NUMBER)}))
    return tables


def _truncate(day: dt.date, grain: str) -> dt.date:
    if grain == "week":
        return day - dt.timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def _time_value(rng: random.Random, column: Column) -> Any:
    day = START + dt.timedelta(days=rng.randrange(DAYS))
    if column.kind == "timestamp":
        stamp = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(86400))
        if column.grain == "hour":
            return stamp.replace(minute=0, second=0)
        if column.grain == "minute":
            return stamp.replace(second=0)
        return stamp
    return _truncate(day, column.grain)


def _value(rng: random.Random, name: str, column: Column, domains: Mapping[str, Sequence[str]]) -> Any:
    if column.kind == "key":
        entity = column.entity or name
        keys = domains.get(entity) or [f"{entity}_{i:03d}" for i in range(20)]
        roll = rng.random()
        if roll < 0.03:
            return None
        if roll < 0.07:
            return f"{entity}_orphan_{rng.randrange(3)}"
        return rng.choice(keys)
    if column.kind in ("date", "timestamp"):
        return _time_value(rng, column)
    if rng.random() < 0.05:
        return None
    if column.kind == "bool":
        return rng.random() < 0.4
    if column.kind == "number":
        return rng.randrange(1, 500)
    values = sorted(column.literals) + [f"{name}_{k}" for k in range(3)]
    return rng.choice(values)


def _key_sizes(tables: Mapping[str, Table]) -> dict[str, int]:
    """How many keys each entity has: 200 for one whose table holds measures, 30 for a dimension table."""
    sizes: dict[str, int] = {}
    for table in tables.values():
        for column in table.columns.values():
            if column.kind == "key" and column.entity and (column.unique or table.validity):
                size = 200 if table.has_measures else 30
                sizes[column.entity] = max(sizes.get(column.entity, 0), size)
    return sizes


def generate(
    tables: Mapping[str, Table], seed: int = 11
) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """Rows for every table: ``{name: (column names, rows)}``; the same seed gives the same rows."""
    rng = random.Random(seed)
    sizes = _key_sizes(tables)
    domains = {entity: [f"{entity}_{i:03d}" for i in range(n)] for entity, n in sizes.items()}
    out: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    for name in sorted(tables):
        table = tables[name]
        columns = sorted(table.columns)
        unique = [c for c in columns if table.columns[c].unique]
        rows: list[tuple[Any, ...]] = []
        if table.validity is not None:
            rows = _scd_rows(rng, table, columns, domains)
        else:
            n = len(domains[table.columns[unique[0]].entity or unique[0]]) if unique else 120
            for i in range(n):
                row = {c: _value(rng, c, table.columns[c], domains) for c in columns}
                for c in unique:
                    row[c] = domains[table.columns[c].entity or c][i] if c == unique[0] else f"{c}_{i:03d}"
                rows.append(tuple(row[c] for c in columns))
        out[name] = (columns, rows)
    return out


def _scd_rows(
    rng: random.Random, table: Table, columns: list[str], domains: Mapping[str, Sequence[str]]
) -> list[tuple[Any, ...]]:
    """One to three consecutive versions per key of the table's natural entity; the last one is open."""
    assert table.validity is not None
    start_col, end_col = table.validity
    keys = [c for c in columns if table.columns[c].kind == "key" and table.columns[c].entity in domains]
    natural = keys[0] if keys else None
    ids = domains[table.columns[natural].entity or natural] if natural else [f"row_{i}" for i in range(30)]
    rows: list[tuple[Any, ...]] = []
    for key in ids:
        begin = START - dt.timedelta(days=rng.randrange(60))
        for version in range(rng.choice((1, 2, 3))):
            row = {c: _value(rng, c, table.columns[c], domains) for c in columns}
            length = rng.randrange(60, 400)
            end = begin + dt.timedelta(days=length)
            last = version == 2 or end > START + dt.timedelta(days=DAYS) or rng.random() < 0.3
            if natural:
                row[natural] = key
            if start_col:
                row[start_col] = _as_kind(begin, table.columns[start_col])
            if end_col:
                row[end_col] = None if last else _as_kind(end, table.columns[end_col])
            rows.append(tuple(row[c] for c in columns))
            if last:
                break
            begin = end
    return rows


def _as_kind(day: dt.date, column: Column) -> Any:
    return dt.datetime.combine(day, dt.time()) if column.kind == "timestamp" else day


@dataclass(frozen=True)
class Spine:
    """A time spine table: its columns as ``(name, grain or custom granularity)``."""

    name: str
    columns: tuple[tuple[str, str], ...]


def spine_tables(config: Mapping[str, Any]) -> list[Spine]:
    """The spine tables a ``project_configuration`` names (new ``time_spines`` and legacy locations)."""
    found: dict[str, dict[str, str]] = {}
    for spine in config.get("time_spines") or []:
        alias = str(spine["node_relation"]["alias"])
        primary = spine["primary_column"]
        cols = found.setdefault(alias, {})
        cols[str(primary["name"])] = str(primary.get("time_granularity") or "day").lower()
        for custom in spine.get("custom_granularities") or []:
            cols[str(custom.get("column_name") or custom["name"])] = "custom"
    for legacy in config.get("time_spine_table_configurations") or []:
        alias = str(legacy["location"]).rsplit(".", 1)[-1]
        found.setdefault(alias, {}).setdefault(str(legacy["column_name"]), str(legacy.get("grain") or "day"))
    return [Spine(name, tuple(cols.items())) for name, cols in found.items()]


def spine_rows(spine: Spine) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Every day from 2022 to 2025 (midnight for a sub-day spine), each column at its grain; a custom
    granularity holds the first day of the day's week (a stand-in period).
    """
    grains = [g for _, g in spine.columns]
    sub_day = any(g in SUB_DAY for g in grains)
    coarse = [g for g in grains if g not in ("custom", *SUB_DAY)]
    finest = "day" if sub_day or "day" in coarse or not coarse else min(coarse, key=_GRAINS.index)
    rows: list[tuple[Any, ...]] = []
    seen: set[dt.date] = set()
    day = SPINE_START
    while day <= SPINE_END:
        base = _truncate(day, finest)
        day += dt.timedelta(days=1)
        if base in seen:
            continue
        seen.add(base)
        row: list[Any] = []
        for _, grain in spine.columns:
            if grain in SUB_DAY:  # midnights only: the engines are asked nothing finer than a day
                row.append(dt.datetime.combine(base, dt.time()))
            elif grain == "custom":
                row.append(_truncate(base, "week"))
            else:
                row.append(_truncate(base, grain))
        rows.append(tuple(row))
    return [c for c, _ in spine.columns], rows


_GRAINS = ("day", "week", "month", "quarter", "year")


def write_duckdb(
    path: Path,
    data: Mapping[str, tuple[list[str], list[tuple[Any, ...]]]],
    types: Mapping[str, Mapping[str, str]],
    schema: str = "main",
) -> Path:
    """Create ``path`` with one table per entry of ``data``; ``types`` gives each column's SQL type."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = {
        name: RawTable(tuple((c, types[name][c]) for c in columns), rows)
        for name, (columns, rows) in data.items()
    }
    con = duckdb.connect(str(path))
    try:
        load_raw(con, raw, schema)
    finally:
        con.close()
    return path
