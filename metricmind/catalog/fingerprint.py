"""The fingerprint of what a definition computes: certification belongs to one version of it.

A metric's meaning is everything that changes its numbers: its type, measure, numerator, denominator,
expression, inputs (with their filters and offsets), filter, window, conversion parameters; each measure's
aggregation, expression, time dimension, non-additive dimension and table; and, through ratio and derived
metrics, the meaning of every input metric. Its label, description and ``config.meta`` (owner, synonyms,
status …) do not count. A canonical dataset's meaning is its table, its primary key and the SQL of its dbt
model (comments and spacing do not count).
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import re
from pathlib import Path
from typing import Any

from metricmind.spec.model import Model

#: Fields that describe a definition without changing what it computes.
_WORDS = frozenset({"label", "description", "meta", "file", "line"})


def _plain(value: Any) -> Any:
    """A JSON-ready copy of a spec value without its wording fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name not in _WORDS
        }
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items()) if k not in _WORDS}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _metric(model: Model, name: str, stack: tuple[str, ...]) -> Any:
    metric = model.metrics.get(name)
    if metric is None or name in stack:
        return {"missing": name}
    measures = {}
    own = [metric.measure.name] if metric.measure else []
    if metric.conversion:
        own += [metric.conversion.base_measure.name, metric.conversion.conversion_measure.name]
    for m in own:
        measure = model.measures.get(m)
        if measure is not None:
            sm = model.semantic_models.get(measure.semantic_model)
            measures[m] = {**_plain(measure), "relation": sm.relation if sm else None}
    inputs = [i.name for i in (metric.numerator, metric.denominator, *metric.inputs) if i is not None]
    return {
        "metric": _plain(metric),
        "measures": measures,
        "inputs": {i: _metric(model, i, (*stack, name)) for i in sorted(set(inputs))},
    }


_COMMENTS = re.compile(r"--[^\n]*|/\*.*?\*/|\{#.*?#\}", re.S)


def model_sql(root: Path | None, ref: str) -> str | None:
    """The SQL of dbt model ``ref`` under ``root/models`` without comments and with single spaces."""
    if root is None or not ref:
        return None
    base = root / "models"
    found = next(iter(sorted(base.rglob(f"{ref}.sql"))), None) if base.is_dir() else None
    if found is None:
        return None
    try:
        text = found.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return " ".join(_COMMENTS.sub(" ", text).split())


def meaning(model: Model, kind: str, name: str, root: Path | None = None) -> str | None:
    """The SHA-256 of what ``name`` computes (None when the model does not define it); with ``root``, a
    canonical dataset's includes its dbt model's SQL.
    """
    if kind == "metric":
        if name not in model.metrics:
            return None
        data: Any = _metric(model, name, ())
    else:
        ds = model.canonical_datasets.get(name)
        if ds is None:
            return None
        data = {
            "relation": ds.relation,
            "primary_key": list(ds.primary_key),
            "sql": model_sql(root, ds.ref),
        }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()
