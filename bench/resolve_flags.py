"""Yes/no dimensions and exclusions said in templated phrasings on every project (issue 14): pass counts.

The questions are generated from each catalog (``tests/resolve/flagphrases.py``): every yes/no dimension a metric
reaches said true and false in each flag template, and up to two values of every categorical dimension left out
in each exclusion template. Projects: the demo (catalog only, its declared values), the seven foreign samples
and the shop and marketplace, built once into ``--work``.

    .venv/bin/python bench/resolve_flags.py [--work DIR] [--misses]

Prints, per kind and template: passes per project and overall.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.project import Project
from metricmind.resolve import Resolver
from tests.resolve.flagphrases import BUILDERS, Case, exclusion_cases, flag_cases, passed

DEMO = Path(__file__).resolve().parents[1] / "metricmind" / "demo" / "project"


def projects(work: Path) -> dict[str, tuple[Resolver, dict[str, list[str]]]]:
    """Each project's resolver (with its warehouse's values) and those values."""
    out: dict[str, tuple[Resolver, dict[str, list[str]]]] = {}
    demo = Project.load(DEMO, strict=False)
    out["demo"] = (Resolver(demo.model), {})
    for name, build in BUILDERS.items():
        root = work / name
        if not (root / "target").exists():
            build(root)
        project = Project.load(root)
        values = project.dimension_values()
        out[name] = (project.resolver(), values)
    return out


def report(kind: str, cases: list[tuple[Case, bool, str]], misses: bool) -> None:
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for case, ok, _ in cases:
        for key in (case.project, "ALL"):
            table[case.template][key][0] += ok
            table[case.template][key][1] += 1
    names = sorted({c.project for c, _, _ in cases}) + ["ALL"]
    print(f"== {kind}")
    print(f"{'template':16}" + "".join(f"{n[:10]:>11}" for n in names))
    for template, row in table.items():
        cells = "".join(f"{f'{row[n][0]}/{row[n][1]}' if row[n][1] else '-':>11}" for n in names)
        print(f"{template:16}{cells}")
    hits, total = sum(ok for _, ok, _ in cases), len(cases)
    print(f"{kind} overall: {hits}/{total} ({hits / total if total else 0:.1%})")
    if misses:
        for case, ok, got in cases:
            if not ok:
                print(f"MISS {case.project} {case.template} {case.question!r}: want {case.want} got {got}")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/resolve_flags"), help="build folder")
    parser.add_argument("--misses", action="store_true", help="list the questions misread")
    args = parser.parse_args()
    flags: list[tuple[Case, bool, str]] = []
    exclusions: list[tuple[Case, bool, str]] = []
    for name, (resolver, values) in projects(args.work).items():
        for case in flag_cases(name, resolver, values):
            flags.append((case, *passed(resolver, case)))
        for case in exclusion_cases(name, resolver, values):
            exclusions.append((case, *passed(resolver, case)))
    report("yes/no", flags, args.misses)
    report("exclusion", exclusions, args.misses)


if __name__ == "__main__":
    main()
