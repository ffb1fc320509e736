"""The reference check: real dbt 1.12 parses the latest-spec pixelforge, and its semantic manifest holds the
objects metricmind reads from the same YAML (names, aggregations, expressions, entities, dimensions, metric
types and inputs).

Needs a dbt-core ≥ 1.12 executable in ``METRICMIND_DBT_LATEST`` (its own virtual environment: dbt-core 1.12.0
and dbt-duckdb 1.11.1 install with ``--only-binary dbt-core-experimental-parser``); skipped without it.
dbt 1.12.0 also writes a conversion metric's ``window`` to the deprecated ``type_params.window`` and then
refuses it as a cumulative field unless ``require_nested_cumulative_type_params`` is false, so the copy sets
that flag.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from metricmind.spec.loader import load
from metricmind.spec.model import Metric, MetricInput, MetricType, Model
from metricmind.testing.pixelforge import PIXELFORGE
from tests.conftest import in_ci

FIXTURE = Path(__file__).parent / "latest" / "pixelforge"
DBT = os.environ.get("METRICMIND_DBT_LATEST", "")


@pytest.fixture(autouse=True)
def _dbt_latest() -> None:
    """dbt 1.12 (``make latest-env``): a skip outside CI when missing, a failure under CI."""
    if DBT and Path(DBT).exists():
        return
    message = "set METRICMIND_DBT_LATEST to a dbt-core >= 1.12 executable (make latest-env)"
    if in_ci():
        pytest.fail(message)
    pytest.skip(message)


def _window(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    count, unit = text.lower().split()
    return int(count), unit[:-1] if unit.endswith("s") else unit


def _input(mi: MetricInput | None) -> tuple[Any, ...] | None:
    if mi is None:
        return None
    grain = mi.offset_to_grain.value if mi.offset_to_grain else None
    return (mi.name, tuple(w.sql for w in mi.filter), mi.alias, _window(mi.offset_window), grain)


def _their_input(raw: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if raw is None:
        return None
    window = raw.get("offset_window")
    where = (raw.get("filter") or {}).get("where_filters") or []
    return (
        raw["name"],
        tuple(w["where_sql_template"] for w in where),
        raw.get("alias"),
        (window["count"], window["granularity"]) if window else None,
        raw.get("offset_to_grain"),
    )


def _ours(model: Model) -> dict[str, Any]:
    sms = {
        sm.name: (
            sm.ref,
            sm.default_agg_time_dimension,
            sorted((e.name, e.type.value, e.expr) for e in sm.entities),
            sorted(
                (d.name, d.type, " ".join(d.expr.split()), d.grain.value if d.grain else None)
                for d in sm.dimensions
            ),
        )
        for sm in model.semantic_models.values()
    }
    return {
        "semantic_models": sms,
        "metrics": {m.name: _our_metric(model, m) for m in model.metrics.values()},
    }


def _our_metric(model: Model, m: Metric) -> tuple[Any, ...]:
    where = tuple(w.sql for w in m.filter)
    if m.type is MetricType.SIMPLE:
        assert m.measure is not None
        measure = model.measures[m.measure.name]
        nad = measure.non_additive
        return (
            "simple",
            where,
            measure.semantic_model,
            measure.agg.value,
            " ".join(measure.expr.split()),
            measure.agg_time_dimension,
            (nad.name, nad.window_choice, list(nad.window_groupings)) if nad else None,
        )
    if m.type is MetricType.RATIO:
        return ("ratio", where, _input(m.numerator), _input(m.denominator))
    if m.type is MetricType.DERIVED:
        return ("derived", where, " ".join((m.expr or "").split()), [_input(i) for i in m.inputs])
    if m.type is MetricType.CUMULATIVE:
        assert m.cumulative is not None and m.measure is not None
        gtd = m.cumulative.grain_to_date.value if m.cumulative.grain_to_date else None
        return (
            "cumulative",
            where,
            m.measure.name,
            _window(m.cumulative.window),
            gtd,
            m.cumulative.period_agg,
        )
    assert m.conversion is not None
    c = m.conversion
    props = [(p.base_property, p.conversion_property) for p in c.constant_properties]
    names = (c.base_measure.name, c.conversion_measure.name)
    return ("conversion", where, *names, c.entity, c.calculation, _window(c.window), props)


def _theirs(manifest: dict[str, Any]) -> dict[str, Any]:
    sms = {}
    for sm in manifest["semantic_models"]:
        dims = []
        for d in sm["dimensions"]:
            grain = (d.get("type_params") or {}).get("time_granularity")
            dims.append((d["name"], d["type"], " ".join((d.get("expr") or d["name"]).split()), grain))
        entities = sorted((e["name"], e["type"], e.get("expr") or e["name"]) for e in sm["entities"])
        sms[sm["name"]] = (
            sm["node_relation"]["alias"],
            sm["defaults"]["agg_time_dimension"],
            entities,
            sorted(dims),
        )
    measures = {}  # the legacy spec's: (semantic model, agg, expr, agg time dimension, non-additive)
    for sm in manifest["semantic_models"]:
        for ms in sm["measures"]:
            nad = ms.get("non_additive_dimension")
            measures[ms["name"]] = (
                sm["name"],
                ms["agg"],
                " ".join(str(ms.get("expr") or ms["name"]).split()),
                ms.get("agg_time_dimension") or sm["defaults"]["agg_time_dimension"],
                (nad["name"], nad["window_choice"], nad["window_groupings"]) if nad else None,
            )
    metrics = {}
    for m in manifest["metrics"]:
        tp = m["type_params"]
        where = tuple(w["where_sql_template"] for w in ((m.get("filter") or {}).get("where_filters") or []))
        if m["type"] == "simple" and tp.get("measure"):
            metrics[m["name"]] = ("simple", where, *measures[tp["measure"]["name"]])
        elif m["type"] == "simple":
            agg = tp["metric_aggregation_params"]
            nad = agg.get("non_additive_dimension")
            metrics[m["name"]] = (
                "simple",
                where,
                agg["semantic_model"],
                agg["agg"],
                " ".join(str(tp["expr"]).split()),
                agg["agg_time_dimension"],
                (nad["name"], nad["window_choice"], nad["window_groupings"]) if nad else None,
            )
        elif m["type"] == "ratio":
            metrics[m["name"]] = (
                "ratio",
                where,
                _their_input(tp["numerator"]),
                _their_input(tp["denominator"]),
            )
        elif m["type"] == "derived":
            inputs = [_their_input(i) for i in tp["metrics"]]
            metrics[m["name"]] = ("derived", where, " ".join(tp["expr"].split()), inputs)
        elif m["type"] == "cumulative":
            ctp = tp["cumulative_type_params"]
            window = ctp.get("window")
            win = (window["count"], window["granularity"]) if window else None
            metrics[m["name"]] = (
                "cumulative",
                where,
                ctp["metric"]["name"],
                win,
                ctp.get("grain_to_date"),
                ctp["period_agg"],
            )
        else:
            ctp = tp["conversion_type_params"]
            window = ctp.get("window")
            props = [
                (p["base_property"], p["conversion_property"]) for p in ctp.get("constant_properties") or []
            ]
            metrics[m["name"]] = (
                "conversion",
                where,
                ctp["base_metric"]["name"],
                ctp["conversion_metric"]["name"],
                ctp["entity"],
                ctp["calculation"],
                (window["count"], window["granularity"]) if window else None,
                props,
            )
    return {"semantic_models": sms, "metrics": metrics}


@pytest.mark.parametrize("mixed", [False, True], ids=["latest", "mixed"])
def test_dbt_112_parses_the_latest_spec_into_the_objects_metricmind_reads(
    mixed: bool, tmp_path: Path
) -> None:
    """``mixed``: the gem economy stays in the legacy spec beside the latest-spec rest, as dbt allows."""
    root = tmp_path / "pixelforge"
    shutil.copytree(PIXELFORGE, root, ignore=shutil.ignore_patterns("target", "semantic_layer"))
    shutil.copytree(FIXTURE / "models", root / "models", dirs_exist_ok=True)
    if mixed:
        legacy = PIXELFORGE / "models"
        (root / "models" / "semantic_layer" / "economy.yml").write_text(
            (legacy / "semantic_layer" / "economy.yml").read_text()
        )
        reporting = "marts/reporting/_reporting.yml"
        (root / "models" / reporting).write_text((legacy / reporting).read_text())
    with (root / "dbt_project.yml").open("a") as f:
        f.write("flags:\n  require_nested_cumulative_type_params: false\n")
    done = subprocess.run(
        [DBT, "parse", "--profiles-dir", str(root), "--no-partial-parse"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    theirs = _theirs(json.loads((root / "target" / "semantic_manifest.json").read_text()))
    result = load(root)
    assert not [i for i in result.issues if i.level.value == "error"], result.issues
    assert len(result.model.semantic_models) == 7 and len(result.model.metrics) == 38
    ours = _ours(result.model)
    ours["semantic_models"] = {
        name: (sm[0].rsplit(".", 1)[-1], *sm[1:]) for name, sm in ours["semantic_models"].items()
    }
    assert ours["semantic_models"] == theirs["semantic_models"]
    assert set(ours["metrics"]) == set(theirs["metrics"])
    differ = {
        n: (ours["metrics"][n], theirs["metrics"][n])
        for n in ours["metrics"]
        if ours["metrics"][n] != theirs["metrics"][n]
    }
    assert not differ, differ
