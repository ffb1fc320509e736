"""Question resolver on other companies' projects (issue 14): the bazaar, helpdesk, lending, lastmile, harbor, pixelforge, studyhall, covewell, ridgeline and mossbank samples.

Scores ``tests/foreign/questions/dev.yml``, ``dev_lending.yml``, ``dev_lastmile.yml``, ``dev_harbor.yml``, ``dev_pixelforge.yml``, ``dev_studyhall.yml``, ``dev_covewell.yml``, ``dev_ridgeline.yml``, ``dev_mossbank.yml``, the second round's ``dev2_<project>.yml`` and the third round's ``dev3_<project>.yml`` (the
tuning splits; ``--misses`` lists their misses) and, only with ``--blind``, ``blind.yml``, ``blind_lending.yml``,
``blind_lastmile.yml``, ``blind_harbor.yml``, ``blind_pixelforge.yml``, ``blind_studyhall.yml``, ``blind_covewell.yml``, ``blind_ridgeline.yml``, ``blind_mossbank.yml``, ``blind2_<project>.yml`` and ``blind3_<project>.yml`` (scored only: their misses are never printed; the lead's run). Each item is in the
resolver's blind-set format (``q``, ``expect``, optional ``as_of``, ``kind``, ``id``) plus ``project:``
(``bazaar``, ``helpdesk``, ``lending``, ``lastmile``, ``harbor``, ``pixelforge``, ``studyhall``, ``covewell``, ``ridgeline`` or ``mossbank``). The
projects are built once into ``--work`` (seeded, no download) and read with their warehouses' values, as
``metricmind ask`` reads them. A split whose file is not there yet is skipped.

    .venv/bin/python bench/resolve_foreign.py [--misses] [--blind] [--work DIR]

Prints, per project and split: exact match, per-component accuracy, calibration (answers with confidence
>= 0.8 and their right share) and refusals (with confidence < 0.5).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metricmind.project import Project
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
from tests.resolve import blindset

HERE = Path(__file__).resolve().parents[1] / "tests" / "foreign" / "questions"
DEV, BLIND = HERE / "dev.yml", HERE / "blind.yml"
DEV_LENDING, BLIND_LENDING = HERE / "dev_lending.yml", HERE / "blind_lending.yml"
"""The third project's sets (hproj3, 2026-12-05): written code-blind with the project, scored untouched."""
DEV_LASTMILE, BLIND_LASTMILE = HERE / "dev_lastmile.yml", HERE / "blind_lastmile.yml"
"""The parcel-delivery project's sets (hwco, 2026-12-06): code-blind, as_of 2025-10-01 on every item."""
DEV_HARBOR, BLIND_HARBOR = HERE / "dev_harbor.yml", HERE / "blind_harbor.yml"
"""The hotel group's sets (hproj5, 2026-12-06): code-blind, as_of 2026-01-07 on every item."""
DEV_PIXELFORGE, BLIND_PIXELFORGE = HERE / "dev_pixelforge.yml", HERE / "blind_pixelforge.yml"
"""The mobile game studio's sets (hproj6, 2026-12-07): code-blind, as_of 2026-01-08 on every item."""
DEV_STUDYHALL, BLIND_STUDYHALL = HERE / "dev_studyhall.yml", HERE / "blind_studyhall.yml"
"""The online learning platform's sets (hproj7, 2026-12-07): code-blind, as_of 2026-01-06 on every item."""
DEV_COVEWELL, BLIND_COVEWELL = HERE / "dev_covewell.yml", HERE / "blind_covewell.yml"
"""The personal-lines insurer's sets (covewell, 2026-12-07): code-blind, as_of 2026-01-07 on every item."""
DEV_RIDGELINE, BLIND_RIDGELINE = HERE / "dev_ridgeline.yml", HERE / "blind_ridgeline.yml"
"""The regional telecom operator's sets (ridge, 2026-12-07): code-blind, as_of 2026-01-07 on every item."""
DEV_MOSSBANK, BLIND_MOSSBANK = HERE / "dev_mossbank.yml", HERE / "blind_mossbank.yml"
"""The outpatient clinic network's sets (moss, 2026-12-08): code-blind, as_of 2026-01-07 on every item."""
ROUND2 = ("bazaar", "helpdesk", "lending", "lastmile", "harbor", "pixelforge", "studyhall")
DEV2 = tuple(HERE / f"dev2_{name}.yml" for name in ROUND2)
BLIND2 = tuple(HERE / f"blind2_{name}.yml" for name in ROUND2)
"""The second round on all seven projects (fq2, 2026-12-07): code-blind, new voices, 16 to tune on and 8 scored
only per project, each item with its project's as_of."""
ROUND3 = (*ROUND2, "covewell", "ridgeline")
DEV3 = tuple(HERE / f"dev3_{name}.yml" for name in ROUND3)
BLIND3 = tuple(HERE / f"blind3_{name}.yml" for name in ROUND3)
"""The third round on all nine projects (qw3, 2026-12-08): code-blind, new voices, 8 to tune on and 4 scored
only per project, each item with its project's as_of."""
AS_OF = "2024-07-01"
"""The day the sample projects' data ends after (their data runs 2024-01-01 to 2024-06-30; lastmile's runs
2024-10-01 to 2025-09-30, and each of its items carries its own as_of, 2025-10-01)."""
BUILDERS: dict[str, Callable[[Path], Path]] = {
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


def yes_no_as_written(item: dict[str, Any]) -> dict[str, Any]:
    """The item with YAML ``true``/``false`` filter values as the warehouse writes a BOOLEAN ("true"):
    the set's README compares yes/no values case-insensitively."""
    want = item.get("expect") or {}
    filters = [
        {**f, "values": [str(v).lower() if isinstance(v, bool) else v for v in f.get("values") or ()]}
        if "values" in f
        else f
        for f in want.get("filters") or ()
    ]
    return {**item, "expect": {**want, "filters": filters}} if filters else item


def built(work: Path, name: str) -> Path:
    """The project ``name`` with its warehouse, built into ``work`` once and reused."""
    root = work / name
    if not (root / "target").exists():
        BUILDERS[name](root)
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--misses", action="store_true", help="list the dev splits' misses (never a blind split's)"
    )
    parser.add_argument(
        "--blind", action="store_true", help="also score the blind splits (the lead's run only)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/resolve_foreign"), help="build folder")
    parser.add_argument("--questions", type=Path, help="score this file (a tuning split) instead of dev.yml")
    args = parser.parse_args()
    every = (
        DEV,
        DEV_LENDING,
        DEV_LASTMILE,
        DEV_HARBOR,
        DEV_PIXELFORGE,
        DEV_STUDYHALL,
        DEV_COVEWELL,
        DEV_RIDGELINE,
        DEV_MOSSBANK,
        *DEV2,
        *DEV3,
        BLIND,
        BLIND_LENDING,
        BLIND_LASTMILE,
        BLIND_HARBOR,
        BLIND_PIXELFORGE,
        BLIND_STUDYHALL,
        BLIND_COVEWELL,
        BLIND_RIDGELINE,
        BLIND_MOSSBANK,
        *BLIND2,
        *BLIND3,
    )
    splits = [args.questions] if args.questions else [p for p in every if p.exists()]
    if not args.blind:
        splits = [p for p in splits if not p.name.startswith("blind")]
    if not splits:
        print(f"no question file yet under {HERE}")
        return
    figures: list[str] = []
    for path in splits:
        scored_only = path.name.startswith("blind")
        items = [yes_no_as_written(i) for i in blindset.load(path)]
        print(f"== {path.stem} ({'scored only' if scored_only else 'tune on it'})")
        total = [0, 0]
        for name in sorted({str(i.get("project")) for i in items}):
            mine = [i for i in items if str(i.get("project")) == name]
            if name not in BUILDERS:
                print(f"-- {name}: unknown project, {len(mine)} items skipped")
                continue
            with Project.load(built(args.work, name)) as project:
                s = blindset.score_items(project.resolver(), mine, scored_only=scored_only, as_of=AS_OF)
            print(f"-- {name}")
            print(s.report(show_misses=args.misses and not scored_only))
            figures.append(f"{path.stem}/{name} {s.accuracy():.1%} of {s.total}")
            total[0] += s.exact
            total[1] += s.total
        share = total[0] / total[1] if total[1] else 0.0
        print(f"-- {path.stem} overall: {total[0]}/{total[1]} ({share:.1%})")
        print()
    print(f"resolve_foreign: {', '.join(figures)}")


if __name__ == "__main__":
    main()
