"""Build the demo: copy the example dbt project, generate the raw layer, and build its models in DuckDB.

``build_demo("demo")`` leaves a project folder that metricmind, dbt and MetricFlow can all use::

    demo/
      metricmind.yml  dbt_project.yml  models/ (SQL, semantic YAML, canonical_datasets.yml)
      target/warehouse.duckdb          schema raw (generated), schema main (the models)
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from metricmind.analyses.extract import read_journey_touches
from metricmind.analyses.touch_credits import touch_credits
from metricmind.demo.generator import generate, resolve_end_date
from metricmind.demo.runner import ModelRun, build, discover
from metricmind.errors import MetricmindError
from metricmind.warehouse.duckdb import DuckDBWarehouse

PROJECT_DIR = Path(__file__).with_name("project")
WAREHOUSE_FILE = Path("target") / "warehouse.duckdb"
RAW_SCHEMA = "raw"
MODEL_SCHEMA = "main"
ANALYSES_SOURCE = "analyses"
ANALYSES_SCHEMA = "analyses"
TOUCHPOINT_CREDITS = "touchpoint_credits"
_IGNORE = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__", "*.duckdb*", ".user.yml")


@dataclass
class BuildReport:
    """What a demo build produced and how long each step took.

    Attributes:
        target_dir: The project folder written.
        warehouse: The DuckDB file.
        scale: Number of accounts generated.
        seed: Random seed.
        end_date: Last day of data.
        raw_rows: Rows per raw table (schema ``raw``).
        models: Each model built, in build order, with its time and rows.
        timings: Seconds per step: ``copy``, ``generate``, ``load``, ``models``, ``total``.
    """

    target_dir: Path
    warehouse: Path
    scale: int
    seed: int
    end_date: dt.date
    raw_rows: dict[str, int] = field(default_factory=dict)
    models: list[ModelRun] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def model_rows(self) -> dict[str, int]:
        """Rows per model table (schema ``main``)."""
        return {m.name: m.rows for m in self.models}

    def summary(self) -> str:
        """A short human-readable account of the build."""
        lines = [
            f"Built the demo for {self.scale:,} accounts through {self.end_date} (seed {self.seed}) "
            f"in {self.timings.get('total', 0):.1f}s → {self.warehouse}"
        ]
        steps = ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items() if k != "total")
        lines.append(f"  steps: {steps}")
        lines.extend(f"  raw.{name:<28} {rows:>12,}" for name, rows in self.raw_rows.items())
        lines.extend(
            f"  {m.name if '.' in m.name else 'main.' + m.name:<32} {m.rows:>12,}  {m.elapsed_ms / 1000:6.2f}s"
            for m in self.models
        )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view."""
        return {
            "target_dir": str(self.target_dir),
            "warehouse": str(self.warehouse),
            "scale": self.scale,
            "seed": self.seed,
            "end_date": self.end_date.isoformat(),
            "raw_rows": dict(self.raw_rows),
            "model_rows": self.model_rows,
            "timings": dict(self.timings),
        }


def load_touchpoint_credits(wh: DuckDBWarehouse) -> ModelRun:
    """Write ``analyses.touchpoint_credits``: the Shapley and Markov new-MRR credit of every touch.

    Computed with ``metricmind.analyses`` (the definitions ``metricmind analyze`` uses) from the journeys
    of the built canonical tables; one row per touch of a converted journey (touchpoint_id, shapley_new_mrr,
    markov_new_mrr, shapley_conversions, markov_conversions). See ``analyses.touch_credits`` for how the
    global Markov credit is apportioned to touches.
    """
    started = time.perf_counter()
    journeys, touch_ids = read_journey_touches(wh, "duckdb")
    credits = touch_credits(journeys)
    keep = journeys.converted[journeys.journey]
    table = pa.table(
        {
            "touchpoint_id": pa.array(touch_ids[keep]),
            "shapley_new_mrr": credits["shapley"]["revenue"][keep],
            "markov_new_mrr": credits["markov"]["revenue"][keep],
            "shapley_conversions": credits["shapley"]["conversions"][keep],
            "markov_conversions": credits["markov"]["conversions"][keep],
        }
    )
    wh.load_arrow(ANALYSES_SCHEMA, TOUCHPOINT_CREDITS, table)
    return ModelRun(
        f"{ANALYSES_SOURCE}.{TOUCHPOINT_CREDITS}", (time.perf_counter() - started) * 1000, table.num_rows
    )


def copy_project(target_dir: str | os.PathLike[str]) -> Path:
    """Write the example project's files into ``target_dir`` (created if needed; other files are kept)."""
    target = Path(target_dir)
    if target.resolve() == PROJECT_DIR.resolve():
        raise MetricmindError(
            f"cannot build the demo inside its own package data ({PROJECT_DIR}).",
            hint="Pick another folder, e.g. ~/.metricmind/demo.",
        )
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(PROJECT_DIR, target, ignore=_IGNORE, dirs_exist_ok=True)
    return target


def build_demo(
    target_dir: str | os.PathLike[str],
    scale: int = 10_000,
    end_date: dt.date | str | None = None,
    seed: int = 42,
    *,
    threads: int | None = None,
) -> BuildReport:
    """Build the demo project and its warehouse from scratch.

    Args:
        target_dir: Folder for the project; its ``target/warehouse.duckdb`` is replaced.
        scale: Number of CRM accounts to generate (tests use about 1,000).
        end_date: Last day of data, default today; fix it for reproducible builds.
        seed: Random seed; same seed, scale and end date give the same data.
        threads: DuckDB threads for the build (default: all cores).

    Returns:
        Row counts and timings of every step.

    Raises:
        MetricmindError: Bad scale or end date, or ``target_dir`` is the package's own project folder.
        WarehouseError: The DuckDB file is locked by another process, or a model failed.
        SpecError: The project's SQL models refer to unknown models or form a cycle.
    """
    started = time.perf_counter()
    last = resolve_end_date(end_date)
    target = copy_project(target_dir)
    path = target / WAREHOUSE_FILE
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    report = BuildReport(target, path, scale, seed, last)
    report.timings["copy"] = time.perf_counter() - started
    models = discover(target / "models")
    gen_s = load_s = 0.0
    with DuckDBWarehouse(path, read_only=False, threads=threads) as wh:
        chunks = generate(scale, last, seed)
        while True:
            t0 = time.perf_counter()
            item = next(chunks, None)
            gen_s += time.perf_counter() - t0
            if item is None:
                break
            name, table = item
            load_s += wh.load_arrow(RAW_SCHEMA, name, table, append=name in report.raw_rows) / 1000
            report.raw_rows[name] = report.raw_rows.get(name, 0) + table.num_rows
        report.timings["generate"], report.timings["load"] = gen_s, load_s
        t0 = time.perf_counter()
        report.models = build(
            wh,
            models,
            MODEL_SCHEMA,
            {"raw": RAW_SCHEMA, ANALYSES_SOURCE: ANALYSES_SCHEMA},
            {(ANALYSES_SOURCE, TOUCHPOINT_CREDITS): load_touchpoint_credits},
        )
        report.timings["models"] = time.perf_counter() - t0
        wh.execute("checkpoint")
    report.timings["total"] = time.perf_counter() - started
    return report
