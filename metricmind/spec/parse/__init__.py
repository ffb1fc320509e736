"""Turn YAML mappings into model objects, recording an issue (with file and line) for each problem.

One reader per kind of item: ``semantic_model`` (``semantic``), ``metric`` (``metrics``), and
``saved_query``, ``time_spine_model``, ``canonical_dataset`` (``others``); dbt 1.12's latest spec, a
``models:`` entry with ``semantic_model:`` (``latest_model``) and metrics without ``type_params``
(``latest_metrics``, whose pending metric names ``resolve`` settles once every file is read); the allowed
keys (``keys``) and the field readers they share, with the ``Context`` that collects issues (``fields``).

    ctx = parse.Context(issues=issues, schema=schema, file="models/orders.yml")
    model = parse.semantic_model(node, ctx)   # None (and issues) when it cannot be read
"""

from __future__ import annotations

from metricmind.spec.parse.fields import Context, qualify, ref_name, relation_of
from metricmind.spec.parse.keys import KEYS
from metricmind.spec.parse.latest_metrics import Pending, latest_metric, resolve
from metricmind.spec.parse.latest_model import Latest, is_latest, latest_model
from metricmind.spec.parse.metrics import metric
from metricmind.spec.parse.others import canonical_dataset, project_spines, saved_query, time_spine_model
from metricmind.spec.parse.semantic import semantic_model

__all__ = [
    "KEYS",
    "Context",
    "Latest",
    "Pending",
    "canonical_dataset",
    "is_latest",
    "latest_metric",
    "latest_model",
    "metric",
    "project_spines",
    "qualify",
    "ref_name",
    "relation_of",
    "resolve",
    "saved_query",
    "semantic_model",
    "time_spine_model",
]
