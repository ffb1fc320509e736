"""Benchmark of the definition agent on other companies' dbt projects (issue 12 acceptance).

The cases live in ``tests/foreign/cases/``: ``dev.yml``, ``dev_lending.yml``, ``dev_lastmile.yml``,
``dev_harbor.yml``, ``dev_pixelforge.yml``, ``dev_studyhall.yml`` and ``dev_covewell.yml`` (development, printed case
by case) and ``blind.yml``, ``blind_lending.yml``, ``blind_lastmile.yml``, ``blind_harbor.yml``, ``blind_pixelforge.yml``,
``blind_studyhall.yml`` and ``blind_covewell.yml`` (scored only with ``--blind``: the lead's run; never open them or print their misses while tuning),
with a second round per project, ``dev2_<project>.yml`` (development) and ``blind2_<project>.yml`` (blind). Their
format is ``tests/define/cases/``'s plus a ``project:`` field (``bazaar``, ``helpdesk``, ``lending``,
``lastmile``, ``harbor``, ``pixelforge``, ``studyhall`` or ``covewell``); each answerable case's hand SQL gives one row per month of the project's
data (``month``, ``value``): 2024-01..2024-06, 2024-10..2025-09 for ``lastmile`` and 2025-01..2025-12 for ``harbor``,
``pixelforge`` and ``studyhall``, 2024-01..2025-12 for ``covewell``.

For every case the project's own agent (``Project.analyze_definition``: warehouse values, columns and the
observed dimension values, as the CLI and web use it) proposes a metric; it runs by ``metric_time__month``
on the project's warehouse and is compared with the hand SQL by ``bench/define.py``'s comparison.
Outcomes: **equal**, **refused** (refused, or a rule unread — never silently wrong), **wrong**.

Usage::

    PYTHONPATH=$PWD .venv/bin/python bench/define_foreign.py [--root DIR] [--json] [--blind] [--file NAME ...]

``--root`` reuses the built projects under ``DIR/bazaar``, ``DIR/helpdesk``, ``DIR/lending`` and
``DIR/lastmile``, ``DIR/harbor``, ``DIR/pixelforge``, ``DIR/studyhall``, ``DIR/covewell`` (built there when absent); without it they are built in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.define import Outcome, run_case, score
from metricmind.define import Definition, Proposal
from metricmind.project import Project
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.covewell import copy_covewell
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from metricmind.testing.lending import copy_lending
from metricmind.testing.pixelforge import copy_pixelforge
from metricmind.testing.studyhall import copy_studyhall

CASES = Path(__file__).resolve().parent.parent / "tests" / "foreign" / "cases"
DEV_FILES = (
    "dev.yml",
    "dev_lending.yml",
    "dev_lastmile.yml",
    "dev_harbor.yml",
    "dev_pixelforge.yml",
    "dev_studyhall.yml",
    "dev_covewell.yml",
    "dev2_bazaar.yml",
    "dev2_helpdesk.yml",
    "dev2_lending.yml",
    "dev2_lastmile.yml",
    "dev2_harbor.yml",
    "dev2_pixelforge.yml",
    "dev2_studyhall.yml",
)
BLIND_FILES = (
    "blind.yml",
    "blind_lending.yml",
    "blind_lastmile.yml",
    "blind_harbor.yml",
    "blind_pixelforge.yml",
    "blind_studyhall.yml",
    "blind_covewell.yml",
    "blind2_bazaar.yml",
    "blind2_helpdesk.yml",
    "blind2_lending.yml",
    "blind2_lastmile.yml",
    "blind2_harbor.yml",
    "blind2_pixelforge.yml",
    "blind2_studyhall.yml",
)
BUILDERS: dict[str, Callable[[Path], Path]] = {
    "bazaar": copy_bazaar,
    "helpdesk": copy_helpdesk,
    "lending": copy_lending,
    "lastmile": copy_lastmile,
    "harbor": copy_harbor,
    "pixelforge": copy_pixelforge,
    "studyhall": copy_studyhall,
    "covewell": copy_covewell,
}


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of one file (none when it does not exist yet)."""
    path = CASES / name
    return list(yaml.safe_load(path.read_text()) or []) if path.exists() else []


def project_dir(root: Path, name: str) -> Path:
    """A built copy of sample project ``name`` under ``root`` (reused when its warehouse exists)."""
    target = root / name
    if not (target / "target").exists():
        BUILDERS[name](target)
    return target


def agent(project: Project, definition: Definition) -> Proposal:
    """The agent as the CLI and web call it on the project."""
    return project.analyze_definition(definition)


def run_files(root: Path, files: tuple[str, ...]) -> dict[str, list[Outcome]]:
    """Every case of ``files``, per file, each on its own project."""
    cases = {f: load_cases(f) for f in files}
    names = sorted({str(c["project"]) for found in cases.values() for c in found})
    unknown = set(names) - set(BUILDERS)
    if unknown:
        raise SystemExit(f"unknown project(s) {sorted(unknown)}; expected one of {sorted(BUILDERS)}")
    out: dict[str, list[Outcome]] = {f: [] for f in files}
    for name in names:
        with Project.load(project_dir(root, name)) as project:
            for f, found in cases.items():
                out[f] += [run_case(project, c, agent) for c in found if c["project"] == name]
    return out


def report(per_file: dict[str, list[Outcome]], split: str) -> dict[str, Any]:
    """Scores of the split and of each file."""
    every = [o for found in per_file.values() for o in found]
    return {split: score(every)} | {f"{split} ({f})": score(o) for f, o in per_file.items() if o}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", help="A folder holding (or to hold) the built sample projects.")
    parser.add_argument("--json", action="store_true", help="Print JSON.")
    parser.add_argument("--blind", action="store_true", help="Score the blind files only (the lead's run).")
    parser.add_argument(
        "--file", action="append", default=[], help="Score only this file of the split (e.g. dev_harbor.yml)."
    )
    args = parser.parse_args(argv)
    files = BLIND_FILES if args.blind else DEV_FILES
    if args.file:
        unknown = set(args.file) - set(files)
        if unknown:
            raise SystemExit(f"not a file of the {'blind' if args.blind else 'dev'} split: {sorted(unknown)}")
        files = tuple(f for f in files if f in args.file)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.root) if args.root else Path(tmp)
        per_file = run_files(root, files)
    split = "blind" if args.blind else "dev"
    figures = report(per_file, split)
    cases = [] if args.blind else [o for found in per_file.values() for o in found]
    if args.json:
        print(json.dumps({**figures, f"{split}_cases": [o.__dict__ for o in cases]}, indent=2, default=str))
        return 0
    for o in cases:
        print(f"{o.id:10} {o.outcome:8} {o.ms:7.1f} ms  {o.detail[:200]}")
    for name, s in figures.items():
        print(
            f"{name}: {s['cases']} cases, equal {s['equal_pct']}% ({s['equal_of_answerable_pct']}% of the "
            f"answerable), refused {s['refused_pct']}% ({s['unanswerable_refused']} unanswerable refused), "
            f"silently wrong {s['wrong_pct']}%, analysis median {s['latency_ms_median']} ms; calibration "
            + ", ".join(f"{b['band']}: {b['equal']}/{b['answers']} equal" for b in s["calibration"])
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
