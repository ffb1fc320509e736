"""The checks that read canonical datasets' metadata and the warehouse: owner and SLA present, grain
unique, join keys unique (no fan-out), data fresh against the SLA.

Each warehouse check is one ``SELECT`` built with sqlglot for the project's dialect and handed to the
caller's ``run`` (this package does no I/O of its own): a repeated key comes back as up to three
examples with their count, freshness as the newest value of the dataset's time columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlglot import exp

from metricmind.compiler.dialects import Dialect, table
from metricmind.compiler.keys import repeated_keys_sql
from metricmind.errors import Level, MetricmindError
from metricmind.govern.findings import Finding
from metricmind.spec.model import CanonicalDataset, Grain, Model

Run = Callable[[str], Sequence[Sequence[Any]]]


def qualified(relation: str) -> str:
    """``relation`` as the warehouse lists it (unqualified names are in ``main``, as ``validate`` assumes)."""
    rel = relation.lower()
    return rel if "." in rel else f"main.{rel}"


def metadata(model: Model) -> list[Finding]:
    """Owner, SLA (with ``freshness_hours``) and a primary key on every canonical dataset."""
    out: list[Finding] = []
    for ds in model.canonical_datasets.values():
        where = _where(ds)
        if not ds.owner.strip():
            out.append(
                Finding(
                    Level.ERROR,
                    "missing_owner",
                    f"canonical dataset '{ds.name}' has no owner",
                    hint="Add `owner: <team>` (who answers for its numbers and its SLA).",
                    **where,
                )
            )
        hours = ds.sla.get("freshness_hours") if ds.sla else None
        if not ds.sla or hours is None:
            out.append(
                Finding(
                    Level.ERROR,
                    "missing_sla",
                    f"canonical dataset '{ds.name}' has no SLA with freshness_hours",
                    hint="Add `sla: {freshness_hours: 24, refreshed: daily at 06:00 UTC}`.",
                    **where,
                )
            )
        elif not isinstance(hours, int | float) or isinstance(hours, bool) or hours <= 0:
            out.append(
                Finding(
                    Level.ERROR,
                    "missing_sla",
                    f"canonical dataset '{ds.name}': sla.freshness_hours is {hours!r}, not a positive number",
                    hint="Write the hours the newest data may be old, e.g. `freshness_hours: 24`.",
                    **where,
                )
            )
        if not ds.primary_key:
            out.append(
                Finding(
                    Level.ERROR,
                    "missing_grain",
                    f"canonical dataset '{ds.name}' declares no primary_key, so its grain "
                    f"({ds.grain or 'not described'}) cannot be proven",
                    hint="Add `primary_key: [col, …]`: the columns one row is unique by.",
                    **where,
                )
            )
    return out


def grain_sql(ds: CanonicalDataset, dialect: Dialect) -> str:
    """Up to three primary-key values that repeat in ``ds``, with their count (no rows: unique)."""
    cols = [exp.column(c) for c in ds.primary_key]
    select = (
        exp.select(*(c.copy() for c in cols), exp.Count(this=exp.Star()).as_("n"))
        .from_(table(ds.relation, dialect.sqlglot))
        .group_by(*(c.copy() for c in cols))
        .having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(1)))
        .limit(3)
    )
    return select.sql(dialect=dialect.sqlglot)


def present(model: Model, tables: set[str] | None) -> tuple[list[Finding], set[str]]:
    """Datasets whose table is missing (findings) and the names of those present."""
    out: list[Finding] = []
    ok: set[str] = set()
    for ds in model.canonical_datasets.values():
        if tables is not None and qualified(ds.relation) not in tables:
            out.append(
                Finding(
                    Level.ERROR,
                    "missing_table",
                    f"canonical dataset '{ds.name}': table {ds.relation} is not in the warehouse",
                    dataset=ds.name,
                    file=ds.file,
                    line=ds.line,
                    hint="Build the model (`dbt build`), or fix `model:` in canonical_datasets.yml.",
                )
            )
        else:
            ok.add(ds.name)
    return out, ok


def grain(model: Model, run: Run, dialect: Dialect, names: set[str]) -> list[Finding]:
    """Every canonical dataset's primary key proven unique on the warehouse."""
    out: list[Finding] = []
    for ds in model.canonical_datasets.values():
        if ds.name not in names or not ds.primary_key:
            continue
        try:
            rows = run(grain_sql(ds, dialect))
        except MetricmindError as exc:
            out.append(_failed(f"the grain of '{ds.name}'", exc, ds))
            continue
        if rows:
            key = ", ".join(ds.primary_key)
            examples = "; ".join(f"({', '.join(repr(_plain(v)) for v in r[:-1])}) × {r[-1]}" for r in rows)
            out.append(
                Finding(
                    Level.ERROR,
                    "grain_not_unique",
                    f"canonical dataset '{ds.name}' is not {ds.grain or 'one row per ' + key}: "
                    f"({key}) repeats in {ds.relation}, e.g. {examples}",
                    dataset=ds.name,
                    file=ds.file,
                    line=ds.line,
                    hint="Deduplicate the model (one row per key), or declare the primary_key it really has.",
                )
            )
    return out


def joins(model: Model, run: Run, dialect: Dialect, tables: set[str] | None) -> list[Finding]:
    """Every entity the join graph joins to many-to-one is a key on the warehouse (else joins fan out)."""
    by_relation = {qualified(ds.relation): ds.name for ds in model.canonical_datasets.values()}
    out: list[Finding] = []
    for (sm_name, entity), sql in sorted(repeated_keys_sql(model, dialect).items()):
        sm = model.semantic_models[sm_name]
        if tables is not None and qualified(sm.relation) not in tables:
            continue
        try:
            rows = run(sql)
        except MetricmindError as exc:
            out.append(_failed(f"entity '{entity}' of '{sm_name}'", exc, None, sm_name, sm.file, sm.line))
            continue
        if not rows:
            continue
        joiners = sorted(
            m
            for m in model.metrics
            for other in model.source_models(m)
            if other != sm_name and model.semantic_models[other].entity(entity) is not None
        )
        examples = ", ".join(f"{k!r} ({n} rows)" for k, n in rows)
        out.append(
            Finding(
                Level.ERROR,
                "join_fanout",
                f"semantic model '{sm_name}': entity '{entity}' is joined to many-to-one but repeats in "
                f"{sm.relation}: {examples}; every join to it would count a row once per repetition",
                dataset=by_relation.get(qualified(sm.relation)),
                semantic_model=sm_name,
                metrics=tuple(dict.fromkeys(joiners)),
                file=sm.file,
                line=sm.line,
                hint="Make the table one row per key, or declare the entity foreign (or natural, with "
                "validity_params on a slowly changing dimension).",
            )
        )
    return out


def freshness_columns(model: Model, ds: CanonicalDataset) -> list[tuple[str, Grain]]:
    """The time columns freshness is read from: ``sla.freshness_column`` (with ``sla.freshness_grain``), else
    the time dimensions of the semantic models over the dataset, each with its grain.
    """
    declared = ds.sla.get("freshness_column") if ds.sla else None
    if declared:
        try:
            g = Grain.parse(str(ds.sla.get("freshness_grain") or "day"))
        except ValueError:
            g = Grain.DAY
        return [(str(declared), g)]
    out: dict[str, Grain] = {}
    for sm in model.semantic_models.values():
        if qualified(sm.relation) != qualified(ds.relation):
            continue
        for d in sm.dimensions:
            if d.is_time and d.validity is None:
                out.setdefault(d.expr, d.grain or Grain.DAY)
    return sorted(out.items())


def freshness(model: Model, run: Run, dialect: Dialect, names: set[str], as_of: dt.datetime) -> list[Finding]:
    """Each canonical dataset's newest time value against ``as_of`` and its SLA's ``freshness_hours``.

    A date covers its whole period (a day, or a month for a monthly time dimension): data dated
    2026-06-30 is complete at 2026-07-01 00:00. The newest of the dataset's time columns counts.
    """
    out: list[Finding] = []
    for ds in model.canonical_datasets.values():
        hours = ds.sla.get("freshness_hours") if ds.sla else None
        if (
            ds.name not in names
            or not isinstance(hours, int | float)
            or isinstance(hours, bool)
            or hours <= 0
        ):
            continue
        columns = freshness_columns(model, ds)
        where = _where(ds)
        if not columns:
            out.append(
                Finding(
                    Level.WARNING,
                    "no_freshness_column",
                    f"canonical dataset '{ds.name}' has no time column to measure freshness by",
                    hint="Add `freshness_column: <time column>` (and `freshness_grain: month` for monthly "
                    "data) to its sla, or a semantic model with a time dimension over it.",
                    **where,
                )
            )
            continue
        select = exp.select(
            *(exp.Max(this=exp.maybe_parse(c, dialect=dialect.sqlglot)) for c, _ in columns)
        ).from_(table(ds.relation, dialect.sqlglot))
        try:
            rows = run(select.sql(dialect=dialect.sqlglot))
        except MetricmindError as exc:
            out.append(_failed(f"the freshness of '{ds.name}'", exc, ds))
            continue
        ends = [
            _period_end(v, g)
            for v, (_, g) in zip(rows[0] if rows else (), columns, strict=False)
            if v is not None
        ]
        newest = max((e for e in ends if e is not None), default=None)
        if newest is None:
            out.append(
                Finding(
                    Level.ERROR,
                    "stale",
                    f"canonical dataset '{ds.name}' has no rows with a time in "
                    f"{', '.join(c for c, _ in columns)}",
                    hint=f"Check the build of {ds.relation} (owner: {ds.owner or 'none'}).",
                    **where,
                )
            )
            continue
        lag = (as_of - newest).total_seconds() / 3600
        if lag > float(hours):
            out.append(
                Finding(
                    Level.ERROR,
                    "stale",
                    f"canonical dataset '{ds.name}' is {lag:.1f} hours old (newest data through "
                    f"{newest.isoformat(sep=' ')}, as of {as_of.isoformat(sep=' ')}); its SLA allows "
                    f"{float(hours):g} hours",
                    hint=f"Rebuild {ds.relation} or tell its owner ({ds.owner or 'none'}); "
                    f"refresh: {ds.sla.get('refreshed', 'not stated')}.",
                    **where,
                )
            )
    return out


def _period_end(value: Any, grain: Grain) -> dt.datetime | None:
    """When data stamped ``value`` is complete: a timestamp itself, a date at the end of its period."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            return value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        start = dt.datetime(value.year, value.month, value.day)
        if grain is Grain.MONTH:
            return dt.datetime(value.year + value.month // 12, value.month % 12 + 1, 1)
        if grain is Grain.QUARTER:
            month = (value.month - 1) // 3 * 3 + 4
            return dt.datetime(value.year + (month > 12), (month - 1) % 12 + 1, 1)
        if grain is Grain.YEAR:
            return dt.datetime(value.year + 1, 1, 1)
        if grain is Grain.WEEK:
            return start + dt.timedelta(days=7)
        return start + dt.timedelta(days=1)
    return None


def _where(ds: CanonicalDataset) -> dict[str, Any]:
    """The ``dataset``, ``file`` and ``line`` of a finding about ``ds``."""
    return {"dataset": ds.name, "file": ds.file, "line": ds.line}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _failed(
    what: str,
    exc: MetricmindError,
    ds: CanonicalDataset | None,
    sm: str | None = None,
    file: str | None = None,
    line: int | None = None,
) -> Finding:
    return Finding(
        Level.ERROR,
        "check_failed",
        f"cannot check {what}: {exc.message}",
        dataset=ds.name if ds else None,
        semantic_model=sm,
        file=ds.file if ds else file,
        line=ds.line if ds else line,
        hint=exc.hint or "Check that the columns exist in the table.",
    )
