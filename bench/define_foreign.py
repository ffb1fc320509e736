"""Benchmark of the definition agent on other companies' dbt projects (issue 12 acceptance).

The cases live in ``tests/foreign/cases/``: ``dev.yml``, ``dev_lending.yml``, ``dev_lastmile.yml``,
``dev_harbor.yml``, ``dev_pixelforge.yml``, ``dev_studyhall.yml``, ``dev_covewell.yml``, ``dev_ridgeline.yml`` and ``dev_mossbank.yml`` (development, printed case
by case) and ``blind.yml``, ``blind_lending.yml``, ``blind_lastmile.yml``, ``blind_harbor.yml``, ``blind_pixelforge.yml``,
``blind_studyhall.yml``, ``blind_covewell.yml``, ``blind_ridgeline.yml`` and ``blind_mossbank.yml`` (scored only with ``--blind``: the lead's run; never open them or print their misses while tuning),
with a second round per project, ``dev2_<project>.yml`` (development) and ``blind2_<project>.yml`` (blind), and a
third over six of them, ``dev3_<project>.yml`` and ``blind3_<project>.yml`` (no pixelforge, covewell, ridgeline or mossbank). Their
format is ``tests/define/cases/``'s plus a ``project:`` field (``bazaar``, ``helpdesk``, ``lending``,
``lastmile``, ``harbor``, ``pixelforge``, ``studyhall``, ``covewell``, ``ridgeline`` or ``mossbank``); each answerable case's hand SQL gives one row per month of the project's
data (``month``, ``value``): 2024-01..2024-06, 2024-10..2025-09 for ``lastmile`` and 2025-01..2025-12 for ``harbor``,
``pixelforge`` and ``studyhall``, 2024-01..2025-12 for ``covewell``, ``ridgeline`` and ``mossbank``.

For every case the project's own agent (``Project.analyze_definition``: warehouse values, columns and the
observed dimension values, as the CLI and web use it) proposes a metric; it runs by ``metric_time__month``
on the project's warehouse and is compared with the hand SQL by ``bench/define.py``'s comparison.
Outcomes: **equal**, **refused** (refused, or a rule unread — never silently wrong), **wrong**.

Usage::

    PYTHONPATH=$PWD .venv/bin/python bench/define_foreign.py [--root DIR] [--json] [--blind] [--file NAME ...]

``--root`` reuses the built projects under ``DIR/bazaar``, ``DIR/helpdesk``, ``DIR/lending`` and
``DIR/lastmile``, ``DIR/harbor``, ``DIR/pixelforge``, ``DIR/studyhall``, ``DIR/covewell``, ``DIR/ridgeline``, ``DIR/mossbank`` (built there when absent); without it they are built in a temporary folder.

``--second-seed`` (dev only) re-runs every **equal** case on each project built a second time from another
seed of its generator (``DIR/<project>_seed<N>``): the agent reads the definition again against that
warehouse and its metric must still equal the hand SQL there. A case equal on the first warehouse only is
**equal by chance** (a filter that removed nothing, a column that happened to equal another): counted and
listed.
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
from metricmind.testing import (
    bazaar,
    covewell,
    harbor,
    helpdesk,
    lastmile,
    lending,
    mossbank,
    pixelforge,
    ridgeline,
    studyhall,
)
from metricmind.testing.bazaar import copy_bazaar
from metricmind.testing.covewell import copy_covewell
from metricmind.testing.harbor import copy_harbor
from metricmind.testing.helpdesk import copy_helpdesk
from metricmind.testing.lastmile import copy_lastmile
from metricmind.testing.lending import copy_lending
from metricmind.testing.mossbank import copy_mossbank
from metricmind.testing.pixelforge import copy_pixelforge
from metricmind.testing.ridgeline import copy_ridgeline
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
    "dev_ridgeline.yml",
    "dev_mossbank.yml",
    "dev2_bazaar.yml",
    "dev2_helpdesk.yml",
    "dev2_lending.yml",
    "dev2_lastmile.yml",
    "dev2_harbor.yml",
    "dev2_pixelforge.yml",
    "dev2_studyhall.yml",
    "dev3_bazaar.yml",
    "dev3_helpdesk.yml",
    "dev3_lending.yml",
    "dev3_lastmile.yml",
    "dev3_harbor.yml",
    "dev3_studyhall.yml",
)
BLIND_FILES = (
    "blind.yml",
    "blind_lending.yml",
    "blind_lastmile.yml",
    "blind_harbor.yml",
    "blind_pixelforge.yml",
    "blind_studyhall.yml",
    "blind_covewell.yml",
    "blind_ridgeline.yml",
    "blind_mossbank.yml",
    "blind2_bazaar.yml",
    "blind2_helpdesk.yml",
    "blind2_lending.yml",
    "blind2_lastmile.yml",
    "blind2_harbor.yml",
    "blind2_pixelforge.yml",
    "blind2_studyhall.yml",
    "blind3_bazaar.yml",
    "blind3_helpdesk.yml",
    "blind3_lending.yml",
    "blind3_lastmile.yml",
    "blind3_harbor.yml",
    "blind3_studyhall.yml",
)
BUILDERS: dict[str, Callable[..., Path]] = {
    "bazaar": copy_bazaar,
    "helpdesk": copy_helpdesk,
    "lending": copy_lending,
    "lastmile": copy_lastmile,
    "harbor": copy_harbor,
    "pixelforge": copy_pixelforge,
    "studyhall": copy_studyhall,
    "covewell": copy_covewell,
    "ridgeline": copy_ridgeline,
    "mossbank": copy_mossbank,
}

#: Each project's own seed: ``--second-seed`` builds it again with this plus ``SEED_STEP``.
SEEDS = {
    "bazaar": bazaar.SEED,
    "helpdesk": helpdesk.SEED,
    "lending": lending.SEED,
    "lastmile": lastmile.SEED,
    "harbor": harbor.SEED,
    "pixelforge": pixelforge.SEED,
    "studyhall": studyhall.SEED,
    "covewell": covewell.SEED,
    "ridgeline": ridgeline.SEED,
    "mossbank": mossbank.SEED,
}
SEED_STEP = 1


def load_cases(name: str) -> list[dict[str, Any]]:
    """The cases of one file (none when it does not exist yet)."""
    path = CASES / name
    return list(yaml.safe_load(path.read_text()) or []) if path.exists() else []


def project_dir(root: Path, name: str, seed: int | None = None) -> Path:
    """A built copy of sample project ``name`` under ``root`` (reused when its warehouse exists); with
    ``seed``, its data generated from that seed (``root/<name>_seed<seed>``)."""
    target = root / (name if seed is None else f"{name}_seed{seed}")
    if not (target / "target").exists():
        if seed is None:
            BUILDERS[name](target)
        else:
            BUILDERS[name](target, seed=seed)
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


def second_seed(root: Path, per_file: dict[str, list[Outcome]]) -> list[Outcome]:
    """Every equal case of ``per_file`` run again on its project built from another seed: the outcomes
    there (an outcome other than equal is an *equal by chance* on the first warehouse)."""
    equal = {o.id for found in per_file.values() for o in found if o.outcome == "equal"}
    cases = [c for f in per_file for c in load_cases(f) if c["id"] in equal]
    out: list[Outcome] = []
    for name in sorted({str(c["project"]) for c in cases}):
        with Project.load(project_dir(root, name, SEEDS[name] + SEED_STEP)) as project:
            out += [run_case(project, c, agent) for c in cases if c["project"] == name]
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
    parser.add_argument(
        "--second-seed",
        action="store_true",
        help="Re-run every equal dev case on each project built from another seed (equal by chance).",
    )
    args = parser.parse_args(argv)
    if args.second_seed and args.blind:
        raise SystemExit("--second-seed runs on the dev split only")
    files = BLIND_FILES if args.blind else DEV_FILES
    if args.file:
        unknown = set(args.file) - set(files)
        if unknown:
            raise SystemExit(f"not a file of the {'blind' if args.blind else 'dev'} split: {sorted(unknown)}")
        files = tuple(f for f in files if f in args.file)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(args.root) if args.root else Path(tmp)
        per_file = run_files(root, files)
        again = second_seed(root, per_file) if args.second_seed else []
    split = "blind" if args.blind else "dev"
    figures = report(per_file, split)
    cases = [] if args.blind else [o for found in per_file.values() for o in found]
    chance = [o for o in again if o.outcome != "equal"]
    if args.json:
        seeded = {"second_seed": {"rerun": len(again), "equal_by_chance": [o.__dict__ for o in chance]}}
        print(
            json.dumps(
                {**figures, f"{split}_cases": [o.__dict__ for o in cases], **(seeded if again else {})},
                indent=2,
                default=str,
            )
        )
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
    if args.second_seed:
        print(f"second seed: {len(again)} equal cases re-run, {len(chance)} equal by chance")
        for o in chance:
            print(f"  chance {o.id:10} {o.outcome:8} {o.detail[:220]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
