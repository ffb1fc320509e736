"""MetricFlow's own test manifests through metricmind and MetricFlow: does metricmind load each one, and do
both engines give the same rows for every metric on a synthesized warehouse?

For each manifest in MetricFlow's environment (``metricmind/testing/mfmanifests.py``: the YAML read from
the installed ``metricflow_semantics`` package, a seeded DuckDB warehouse inferred from every ``expr``) it
prints the load status (``validate --deep``: ok, errors with ``file:line``, or a crash) and, when metrics
load, the differential table: each metric by ``metric_time__day``, ``metric_time__month``, one dimension,
and the month with a second dimension, classified as equal, both refused, only ours refused, only
MetricFlow refused, MetricFlow nondeterministic, known difference or different. ``-v`` lists the
differences and one-sided refusals.

Usage::

    METRICMIND_MF_PYTHON=.venv-mf/bin/python .venv/bin/python bench/mf_manifests.py \\
        [--manifests simple_manifest,scd_manifest] [--root /tmp/mfm] [-v] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from metricmind.testing.mffuzz import CATEGORIES, counts, describe
from metricmind.testing.mfmanifest_runs import load_report, run_differential
from metricmind.testing.mfmanifests import build_manifest, manifest_names, manifests_root

SHORT = {
    "equal": "eq",
    "both_refused": "both",
    "only_ours_refused": "ours",
    "only_mf_refused": "mf",
    "mf_nondeterministic": "nondet",
    "known_difference": "known",
    "different": "DIFF",
}


def _first_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if "Message:" in lines:
        after = lines[lines.index("Message:") + 1 :]
        return after[0][:160] if after else lines[0][:160]
    return lines[0][:160] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--manifests", help="comma-separated manifest names (default: all)")
    parser.add_argument("--root", type=Path, help="where to build the projects (default: a temp folder)")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--json", type=Path, help="write the outcomes here")
    args = parser.parse_args(argv)
    source = manifests_root()
    if source is None:
        print("MetricFlow's environment not found: make mf-env, or set METRICMIND_MF_PYTHON", file=sys.stderr)
        return 2
    names = args.manifests.split(",") if args.manifests else manifest_names(source)
    parent = args.root or Path(tempfile.mkdtemp(prefix="mf_manifests_"))
    header = f"{'manifest':38} {'load':7} {'metrics':>7} " + " ".join(f"{SHORT[c]:>6}" for c in CATEGORIES)
    print(header + f" {'secs':>6}")
    total: Counter[str] = Counter()
    dump: dict[str, object] = {}
    details: list[str] = []
    for name in names:
        started = time.perf_counter()
        mp = build_manifest(name, parent, root=source)
        report = load_report(mp)
        row = f"{name:38} {report.status:7} {report.metrics:>7} "
        for issue in report.errors:
            details.append(f"[{name}] load: {issue}")
        if report.crash:
            details.append(f"[{name}] CRASH: {report.crash}")
        outcomes = run_differential(mp) if report.metrics and not report.crash else []
        found = counts(outcomes)
        total.update(found)
        row += " ".join(f"{found[c]:>6}" for c in CATEGORIES)
        print(row + f" {time.perf_counter() - started:>6.1f}", flush=True)
        for o in outcomes:
            if o.category == "different":
                details.append(
                    f"[{name} {o.id}] DIFFERENT {describe(o.query)}\n    " + "\n    ".join(o.diffs[:3])
                )
            elif o.category in ("only_ours_refused", "only_mf_refused", "both_refused"):
                why = _first_line(o.ours_error if o.category != "only_mf_refused" else o.mf_error)
                details.append(f"[{name} {o.id}] {o.category}: {describe(o.query)}: {why}")
        dump[name] = {
            "load": report.status,
            "metrics": report.metrics,
            "errors": [str(i) for i in report.errors],
            "crash": report.crash,
            "counts": found,
            "outcomes": [
                {
                    "id": o.id,
                    "query": describe(o.query),
                    "category": o.category,
                    "diffs": o.diffs[:5],
                    "ours_error": o.ours_error,
                    "mf_error": _first_line(o.mf_error),
                }
                for o in outcomes
            ],
        }
    print(f"{'total':38} {'':7} {'':>7} " + " ".join(f"{total[c]:>6}" for c in CATEGORIES))
    if args.verbose:
        print("\n".join(details))
    if args.json:
        args.json.write_text(json.dumps(dump, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
