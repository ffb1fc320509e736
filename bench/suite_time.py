"""Where the test suite's time goes: the slowest tests, files and folders of one pytest run.

Usage::

    python bench/suite_time.py                       # the whole suite, as CI runs it (-n auto)
    python bench/suite_time.py tests/define -n 1     # one folder, one worker
    python bench/suite_time.py --top 40 --junit old.xml  # re-read a previous run's report, no run

Runs ``pytest -q --junitxml=...`` with the given paths and ``-n`` (default ``auto``, ``--dist loadgroup``
as ``make unit``), then prints the wall time and, from the JUnit report (each test's setup + call +
teardown), the N slowest tests, files and top folders. Setup is charged to the first test that needs a
fixture, so a slow first test in a file often means a slow shared fixture. On a machine other people use,
compare figures from runs made back to back, never against another day's.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(paths: list[str], workers: str, report: Path, extra: list[str]) -> tuple[float, int]:
    """Run pytest and write its JUnit report; the wall time in seconds and pytest's exit status."""
    cmd = [sys.executable, "-m", "pytest", "-q", f"--junitxml={report}", "-p", "no:randomly", *extra]
    if workers != "0":
        cmd += ["-n", workers, "--dist", "loadgroup"]
    else:
        cmd += ["-n", "0"]
    started = time.perf_counter()
    done = subprocess.run([*cmd, *paths], cwd=ROOT, check=False)
    return time.perf_counter() - started, done.returncode


def read(report: Path) -> list[tuple[str, str, float]]:
    """``(file, test name, seconds)`` for every test case in a JUnit report."""
    out: list[tuple[str, str, float]] = []
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "")
        parts = module.split(".")
        # classname is "tests.pkg.test_mod" or "tests.pkg.test_mod.TestClass"
        while parts and not parts[-1].startswith("test_"):
            parts.pop()
        file = "/".join(parts) + ".py" if parts else module
        out.append((file, case.get("name", ""), float(case.get("time", "0") or 0)))
    return out


def top(rows: dict[str, float], n: int, title: str, total: float) -> None:
    """Print the ``n`` largest entries of ``rows`` with their share of ``total``."""
    print(f"\n{title}")
    for key, seconds in sorted(rows.items(), key=lambda kv: -kv[1])[:n]:
        share = 100 * seconds / total if total else 0.0
        print(f"  {seconds:9.1f} s  {share:5.1f}%  {key}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="*", default=[], help="test paths (default: the whole suite)")
    parser.add_argument("-n", dest="workers", default="auto", help="xdist workers (0: no xdist)")
    parser.add_argument("--top", type=int, default=25, help="how many tests/files to list")
    parser.add_argument("--junit", type=Path, help="read this JUnit report instead of running pytest")
    parser.add_argument("--keep", type=Path, help="write the run's JUnit report here")
    args, extra = parser.parse_known_args()

    status = 0
    if args.junit:
        report, wall = args.junit, None
    else:
        report = args.keep or Path(tempfile.mkdtemp(prefix="suite_time-")) / "junit.xml"
        wall, status = run(args.paths, args.workers, report, extra)
    cases = read(report)
    total = sum(s for _, _, s in cases)
    files: dict[str, float] = defaultdict(float)
    folders: dict[str, float] = defaultdict(float)
    for file, _, seconds in cases:
        files[file] += seconds
        folders["/".join(file.split("/")[:2])] += seconds
    print(f"\n{len(cases)} tests, {total:.1f} s of test time", end="")
    print(f", {wall:.1f} s wall (-n {args.workers})" if wall is not None else "")
    top({f"{f}::{n}": s for f, n, s in cases}, args.top, f"slowest {args.top} tests", total)
    top(files, args.top, f"slowest {args.top} files", total)
    top(folders, args.top, "folders", total)
    return status


if __name__ == "__main__":
    sys.exit(main())
