"""Benchmark of the definition agent (issue 12): plain-English definitions against hand-written SQL.

For every case of the development files (``DEV_FILES`` under ``tests/define/cases/``: ``definitions.yml``,
``definitions2.yml``, ``paraphrases.yml``, ``definitions3.yml`` to ``definitions10.yml``; printed item by
item) and the blind files (``BLIND_FILES``: ``blind.yml``, ``blind3.yml`` to ``blind10.yml``; scored only,
their items and misses are never printed), ``analyze``
proposes a metric; the proposed metric runs by
``metric_time__month`` for 2024 on a built demo warehouse and its rows are compared with the hand SQL.

Outcomes: **equal** (every month within 0.01 or 1e-6 relative), **refused** (the agent refused, or marked a
rule unread — never silently wrong), **wrong** (a metric was proposed with every rule read and its rows
differ, or an unanswerable case was answered). For unanswerable cases the agent must refuse.

**Calibration**: each answered proposal carries ``confidence`` (how sure the agent is that the metric
computes what the person meant); the bench prints, per confidence band, how many answers fall in it and
the share that is equal. A proposal at or above ``CONFIDENT`` (0.8) should be equal at least 90% of the time.

Usage::

    python bench/define.py [--demo DIR] [--json] [--dev-only] [--file definitions10.yml ...]

``--demo`` reuses a demo built with ``build_demo(DIR, scale=1000, end_date="2025-06-18")``; without it a
fresh one is built in a temporary folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from metricmind.define import Definition, Proposal, analyze
from metricmind.define.columns import TableValues, table_values
from metricmind.define.extend import proposal_sql
from metricmind.demo.build import build_demo
from metricmind.project import Project

CASES = Path(__file__).resolve().parent.parent / "tests" / "define" / "cases"
#: The development files (printed case by case); a file not there yet is skipped.
DEV_FILES = (
    "definitions.yml",
    "definitions2.yml",
    "paraphrases.yml",
    "definitions3.yml",
    "definitions4.yml",
    "definitions5.yml",
    "definitions6.yml",
    "definitions7.yml",
    "definitions8.yml",
    "definitions9.yml",
    "definitions10.yml",
)
#: The development files whose combined floors ``tests/define/test_cases.py`` asserts (definitions3.yml has
#: its own floor there: 0 wrong, at least 60% equal).
TESTED_FILES = ("definitions.yml", "definitions2.yml", "paraphrases.yml")
#: The blind files: scored only, never printed.
BLIND_FILES = (
    "blind.yml",
    "blind3.yml",
    "blind4.yml",
    "blind5.yml",
    "blind6.yml",
    "blind7.yml",
    "blind8.yml",
    "blind9.yml",
    "blind10.yml",
)
#: Confidence bands of the calibration table.
BANDS = (0.8, 0.6, 0.0)
MONTH = "metric_time__month"


@dataclass
class Outcome:
    """One case's result."""

    id: str
    outcome: str  # equal | refused | wrong
    detail: str
    ms: float
    answerable: bool = True
    confidence: float | None = None  # the proposal's confidence, when a metric was proposed


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of one file (none when the file does not exist yet)."""
    path = CASES / name
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text())
    return list(data or [])


def proposed_rows(
    project: Project, proposal: Proposal, months: Iterable[dt.date] = ()
) -> dict[dt.date, float]:
    """The proposed metric by month for 2024 and ``months`` (new measures and models included, compiled
    without dbt): a project whose data runs past 2024 (``lastmile``: 2024-10..2025-09) is read to its
    last compared month, never cut at 2024's end."""
    last = max([dt.date(2024, 12, 1), *months])
    end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    sql = proposal_sql(
        project.model, proposal, dialect=project.dialect, start="2024-01-01", end=end.isoformat()
    )
    result = project.warehouse.run(sql)
    out: dict[dt.date, float] = {}
    for row in result.rows:
        month = row[0].date() if isinstance(row[0], dt.datetime) else row[0]
        out[month] = float(row[1]) if row[1] is not None else 0.0
    return out


_COLUMNS: dict[int, dict[str, dict[str, str]]] = {}


def warehouse_columns(project: Project) -> dict[str, dict[str, str]]:
    """Every table's columns and types, by relation (``main.table``), read once per project."""
    key = id(project)
    if key not in _COLUMNS:
        rows = project.warehouse.run(
            "select table_schema, table_name, column_name, data_type from information_schema.columns"
        ).rows
        out: dict[str, dict[str, str]] = {}
        for schema, table, column, typ in rows:
            out.setdefault(f"{schema}.{table}", {})[str(column)] = str(typ)
        _COLUMNS[key] = out
    return _COLUMNS[key]


_VALUES: dict[int, TableValues] = {}


def warehouse_values(project: Project) -> TableValues:
    """The tables' text columns that are no dimension, with their values, read once per project."""
    key = id(project)
    if key not in _VALUES:
        _VALUES[key] = table_values(project.warehouse, project.model, warehouse_columns(project))
    return _VALUES[key]


def hand_rows(project: Project, sql: str) -> dict[dt.date, float]:
    """The hand SQL's rows (a month given as a timestamp is read as its date)."""
    result = project.warehouse.run(sql)
    return {
        r[0].date() if isinstance(r[0], dt.datetime) else r[0]: float(r[1]) if r[1] is not None else 0.0
        for r in result.rows
    }


def close(a: float, b: float) -> bool:
    """Equal within a cent, or a millionth relative."""
    return abs(a - b) <= 0.01 or abs(a - b) <= 1e-6 * max(abs(a), abs(b))


def propose(project: Project, definition: Definition) -> Proposal:
    """The agent's proposal with the warehouse's columns and values, and the values of the dimensions that
    declare none (as ``Project.analyze_definition`` reads them; no knowledge-graph usage).
    """
    return analyze(
        definition,
        project.define_model(),
        dialect=project.dialect,
        columns=warehouse_columns(project),
        values=warehouse_values(project),
    )


def run_case(
    project: Project, case: dict[str, Any], proposer: Callable[[Project, Definition], Proposal] = propose
) -> Outcome:
    """Analyze one case with ``proposer`` and execute it; the hand SQL's months are the ones compared."""
    d = Definition(str(case["name"]), str(case["definition"]), tuple(str(r) for r in case.get("rules") or ()))
    p = proposer(project, d)
    expect = case["expect"]
    conf = None if p.refused or p.metric is None else p.confidence
    if not expect["answerable"]:
        if p.refused:
            return Outcome(case["id"], "refused", f"{p.refused}: {p.message}", p.elapsed_ms, False)
        if p.unread:
            return Outcome(
                case["id"], "refused", f"unread {[r.text for r in p.unread]}", p.elapsed_ms, False, conf
            )
        return Outcome(
            case["id"], "wrong", f"answered with {p.metric} (should refuse)", p.elapsed_ms, False, conf
        )
    if p.refused or p.metric is None:
        return Outcome(case["id"], "refused", f"{p.refused}: {p.message}", p.elapsed_ms)
    want = hand_rows(project, expect["sql"])
    try:
        got = proposed_rows(project, p, want)
    except Exception as exc:
        return Outcome(
            case["id"], "refused", f"proposed metric failed to run: {exc}", p.elapsed_ms, True, conf
        )
    bad = [m for m in want if not close(got.get(m, 0.0), want[m])]
    based = p.metric["config"]["meta"].get("based_on") or _parts(p)
    tp = p.metric["type_params"]
    filt = p.metric.get("filter") or (tp.get("metrics") or [tp.get("numerator") or {}])[0].get("filter", "")
    if not bad:
        return Outcome(case["id"], "equal", f"[{conf}] based on {based} {filt}", p.elapsed_ms, True, conf)
    first = bad[0]
    diff = f"{len(bad)} months differ, e.g. {first}: got {got.get(first)} want {want[first]}"
    if p.unread:
        return Outcome(
            case["id"],
            "refused",
            f"[{conf}] unread {[r.text for r in p.unread]}; {diff}",
            p.elapsed_ms,
            True,
            conf,
        )
    return Outcome(case["id"], "wrong", f"[{conf}] based on {based} {filt}; {diff}", p.elapsed_ms, True, conf)


def _parts(p: Proposal) -> str:
    bits = [f"+{m.semantic_model}.{m.measure['name']}" for m in p.new_measures]
    bits += [f"+model {p.new_model.name}"] if p.new_model else []
    tp = p.metric["type_params"] if p.metric else {}
    if "numerator" in tp:
        bits.append(f"ratio {tp['numerator']} / {tp['denominator']}")
    return " ".join(bits) or "new metric"


def calibration(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Per confidence band (``BANDS``, highest first): the answers in it and the share that is equal."""
    out = []
    upper = 1.01
    for low in BANDS:
        inside = [o for o in outcomes if o.confidence is not None and low <= o.confidence < upper]
        equal = sum(o.outcome == "equal" for o in inside)
        out.append(
            {
                "band": f"[{low:.1f}, {min(upper, 1.0):.1f}{']' if upper > 1 else ')'}",
                "answers": len(inside),
                "equal": equal,
                "equal_pct": round(100 * equal / len(inside), 1) if inside else None,
            }
        )
        upper = low
    return out


def score(outcomes: list[Outcome]) -> dict[str, Any]:
    """Percentages and latency."""
    n = len(outcomes) or 1
    times = sorted(o.ms for o in outcomes)
    return {
        "cases": len(outcomes),
        "equal_pct": round(100 * sum(o.outcome == "equal" for o in outcomes) / n, 1),
        "equal_of_answerable_pct": round(
            100 * sum(o.outcome == "equal" for o in outcomes) / (sum(o.answerable for o in outcomes) or 1), 1
        ),
        "refused_pct": round(100 * sum(o.outcome == "refused" for o in outcomes) / n, 1),
        "refused_correctly_pct": round(
            100 * sum(o.outcome == "refused" and not o.answerable for o in outcomes) / n, 1
        ),
        "unanswerable_refused": f"{sum(o.outcome == 'refused' and not o.answerable for o in outcomes)}"
        f"/{sum(not o.answerable for o in outcomes)}",
        "wrong_pct": round(100 * sum(o.outcome == "wrong" for o in outcomes) / n, 1),
        "latency_ms_median": round(statistics.median(times), 1) if times else 0.0,
        "latency_ms_max": round(times[-1], 1) if times else 0.0,
        "calibration": calibration(outcomes),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", help="A demo folder built with scale=1000, end_date=2025-06-18.")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    parser.add_argument("--dev-only", action="store_true", help="Skip the blind split (while tuning).")
    parser.add_argument(
        "--file",
        action="append",
        choices=DEV_FILES,
        help="Only this development file (repeatable); no blind.",
    )
    args = parser.parse_args(argv)
    dev_files = tuple(args.file) if args.file else DEV_FILES
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.demo) if args.demo else Path(tmp) / "demo"
        if not args.demo:
            build_demo(root, scale=1000, end_date="2025-06-18")
        with Project.load(root) as project:
            per_dev = {f: [run_case(project, c) for c in load_cases(f)] for f in dev_files}
            blind_files = () if args.dev_only or args.file else BLIND_FILES
            per_blind = {f: [run_case(project, c) for c in load_cases(f)] for f in blind_files}
    dev = [o for f in dev_files for o in per_dev[f]]
    report = {"dev": score(dev)} | {f"dev ({f})": score(o) for f, o in per_dev.items() if o}
    if per_blind:
        report["blind"] = score([o for found in per_blind.values() for o in found])
        report |= {f"blind ({f})": score(o) for f, o in per_blind.items() if o}
    if args.json:
        print(json.dumps({**report, "dev_cases": [o.__dict__ for o in dev]}, indent=2, default=str))
        return 0
    for o in dev:
        print(f"{o.id:8} {o.outcome:8} {o.ms:7.1f} ms  {o.detail[:200]}")
    for split, s in report.items():
        print(
            f"{split}: {s['cases']} cases, equal {s['equal_pct']}% ({s['equal_of_answerable_pct']}% of the "
            f"answerable), refused {s['refused_pct']}% (of which "
            f"refused correctly {s['refused_correctly_pct']}%: {s['unanswerable_refused']} unanswerable), "
            f"silently wrong {s['wrong_pct']}%, analysis median {s['latency_ms_median']} ms "
            f"(max {s['latency_ms_max']} ms); calibration "
            + ", ".join(f"{b['band']}: {b['equal']}/{b['answers']} equal" for b in s["calibration"])
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
