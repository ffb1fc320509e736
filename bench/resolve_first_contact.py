"""First-contact readings: each development split read by the resolver as it was the day the split landed.

A development split stops being unseen once the team tunes on it: today's resolver answers its confident
questions right 98% of the time, a blind split 88%. What a confidence must predict is the second figure, so
the calibration (``metricmind/resolve/calibration.py``) is fitted on readings of questions the resolver had
not seen: for every split, the code of the commit that added it (``git archive``, run in a subprocess with
that snapshot first on ``PYTHONPATH``; for a round added on a branch of its own, the merge that landed it,
``LANDED``), before anyone read its misses, raw (that day's calibration step, if it had one, off: the caps
are fitted on what the reading passes said). The answers are written to ``--out``
(JSON: split → item key → the ``ask --json`` answer); ``bench/resolve_calibration.py --fit`` scores them with
today's gold and fits the caps.

The demo's first split (``tests/resolve/blind/dev.yml``) is left out: it landed before the resolver had its
confidence rules (its confident answers were right about half the time), so its readings say nothing about
today's. Blind splits are never read.

``--today`` reads the same splits by this checkout's code instead (the same file shape): the confident wrongs
that survive today's tuning, side by side with first contact (``bench/resolve_calibration.py --fit FILE
--today FILE``).

    .venv/bin/python bench/resolve_first_contact.py [--out FILE] [--work DIR] [--today]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from resolve_foreign import BUILDERS, built  # noqa: E402

SPLITS = (
    "tests/resolve/blind/dev2.yml",
    "tests/resolve/blind/dev3.yml",
    "tests/resolve/blind/dev4.yml",
    "tests/resolve/blind/dev5.yml",
    "tests/resolve/blind/dev6.yml",
    "tests/resolve/blind/dev7.yml",
    "tests/resolve/blind/dev8.yml",
    "tests/resolve/blind/dev9.yml",
    "tests/foreign/questions/dev.yml",
    "tests/foreign/questions/dev_lending.yml",
    "tests/foreign/questions/dev_lastmile.yml",
    "tests/foreign/questions/dev_harbor.yml",
    "tests/foreign/questions/dev_pixelforge.yml",
    "tests/foreign/questions/dev_studyhall.yml",
    "tests/foreign/questions/dev_covewell.yml",
    "tests/foreign/questions/dev_ridgeline.yml",
    "tests/foreign/questions/dev2_bazaar.yml",
    "tests/foreign/questions/dev2_harbor.yml",
    "tests/foreign/questions/dev2_helpdesk.yml",
    "tests/foreign/questions/dev2_lastmile.yml",
    "tests/foreign/questions/dev2_lending.yml",
    "tests/foreign/questions/dev2_pixelforge.yml",
    "tests/foreign/questions/dev2_studyhall.yml",
)
"""The development splits read at first contact (every one but the demo's first, see above)."""
ROUND2 = "f1e94db219db7251e65ac4e220a939ba8de4e4e3"
"""The merge of the second foreign round (``dev2_*``): its files were added on their own branch, whose code
is older than main's the day they landed; main's code at the merge, before any tuning on them, is the code
that first read them."""
COVEWELL = "ac750a10c3b369243fb04a629122cef6b7fb24f1"
"""The merge of the insurer's project (Merge branch 'covewell'): like the second round, its questions were
added on a branch of their own; main's code at the merge, before anyone tuned on them, first read them."""
RIDGELINE = "7c67b03f3b4d223eeec9af5ff4a7b04929987c07"
"""The merge of the telecom operator's project (Merge branch 'ridge'), before any tuning on its questions."""
LANDED = {
    **{split: ROUND2 for split in SPLITS if Path(split).name.startswith("dev2_")},
    "tests/foreign/questions/dev_covewell.yml": COVEWELL,
    "tests/foreign/questions/dev_ridgeline.yml": RIDGELINE,
}
"""Splits whose landing is not the commit that added them: the merge that brought them to main."""

READ = r"""
import datetime as dt, json, sys
from pathlib import Path
import yaml
from metricmind.project import Project
from metricmind.resolve import Resolver

split, work, out = sys.argv[1:4]
items = list(yaml.safe_load(open(split)) or [])
answers = {}
def read(resolver, mine, default):
    resolver.calibrate = False  # raw, as --fit expects (a day before the calibration step ignores it)
    for item in mine:
        day = dt.date.fromisoformat(str(item.get("as_of") or default))
        try:
            answer = resolver.resolve(str(item["q"]), as_of=day).to_dict()
        except Exception as e:
            answer = {"error": repr(e)}
        answers[f"{item.get('project', 'demo')}|{item.get('id')}|{item['q']}"] = answer
projects = sorted({str(i.get("project")) for i in items if i.get("project")})
if not projects:
    read(Resolver(Project.load(Path("metricmind/demo/project"), strict=False).model), items, "2025-06-18")
for name in projects:
    read(Project.load(Path(work) / name).resolver(), [i for i in items if i.get("project") == name], "2024-07-01")
json.dump(answers, open(out, "w"), default=str)
"""


def landed(split: str) -> str:
    """The commit that added ``split`` (or brought it to main, ``LANDED``)."""
    if split in LANDED:
        return LANDED[split]
    out = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", split],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()[-1]


def snapshot(commit: str, into: Path) -> Path:
    """The package and tests of ``commit`` unpacked under ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    archive = into / "src.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "archive", commit, "metricmind", "tests"], cwd=ROOT, stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/resolve_first_contact.json"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/resolve_foreign"), help="foreign builds")
    parser.add_argument("--today", action="store_true", help="read every split by this checkout's code")
    args = parser.parse_args()
    for name in BUILDERS:
        built(args.work, name)
    found: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for split in SPLITS:
            commit = "today" if args.today else landed(split)
            code = ROOT if args.today else snapshot(commit, Path(tmp) / commit[:10])
            out = Path(tmp) / f"{Path(split).stem}.json"
            env = {**os.environ, "PYTHONPATH": str(code)}
            subprocess.run(
                [sys.executable, "-c", READ, str(ROOT / split), str(args.work), str(out)],
                cwd=code,
                env=env,
                check=True,
            )
            found[split] = json.loads(out.read_text())
            print(f"{split}: {len(found[split])} read at {commit[:10]}")
    args.out.write_text(json.dumps(found, indent=1, sort_keys=True))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
