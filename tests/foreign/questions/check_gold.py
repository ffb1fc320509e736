"""Check the gold readings of the foreign question sets against the sample projects (not the resolver).

For every answerable item: each metric exists in its project, each group-by and filter dimension is one the
project accepts for every metric asked, and the reading compiles and runs (``MetricQuery.build`` +
``Project.run``) to a non-empty answer; a ``previous_period`` comparison also runs on the period before.
Only failing ids are printed, so a blind file can be checked without showing its questions::

    PYTHONPATH=$PWD .venv/bin/python tests/foreign/questions/check_gold.py tests/foreign/questions/dev.yml
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from metricmind.project import Project
from metricmind.spec.query import MetricQuery
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

GRAINS = ("day", "week", "month", "quarter", "year")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def where(filters: list[dict[str, Any]]) -> list[str]:
    """The MetricFlow-style ``where`` strings of an item's filters."""
    out = []
    for f in filters:
        if "metric_filter" in f:
            m = f["metric_filter"]
            by = ", ".join(f"'{g}'" for g in m["group_by"])
            out.append(f"{{{{ Metric('{m['metric']}', group_by=[{by}]) }}}} {m['op']} {m['value']}")
            continue
        dim, op, values = f["dimension"], f["op"], f["values"]
        kind = "Dimension" if "__" in dim else "Entity"  # a bare name is an entity's key ("hub in RTM, AMSW")
        ref = f"{{{{ {kind}('{dim}') }}}}"
        if op in ("=", "!="):
            out.append(f"{ref} {op} {_literal(values[0])}")
        else:
            out.append(f"{ref} {op} ({', '.join(_literal(v) for v in values)})")
    return out


def _previous(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period before ``[start, end)``: the month before for whole months, else the same length before."""
    if start.day == 1 and end.day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month
        y, m = divmod(start.year * 12 + start.month - 1 - months, 12)
        return dt.date(y, m + 1, 1), start
    return start - (end - start), start


def _known(project: Project, metric: str, name: str) -> bool:
    base, _, grain = name.rpartition("__")
    if name.startswith("metric_time"):
        return name == "metric_time" or grain in GRAINS
    names = {d.name for d in project.dimensions(metric)}
    if grain in GRAINS and base in names:
        return True
    return name in names or any(n.endswith("__" + name) for n in names)


def check(project: Project, item: dict[str, Any]) -> str | None:
    """Why the item's gold is wrong, or None."""
    want = item["expect"]
    metrics = set(want["metrics"])
    unknown = metrics - {m.name for m in project.metrics()}
    if unknown:
        return f"unknown metrics {sorted(unknown)}"
    dims = list(want.get("group_by") or []) + [
        f["dimension"] for f in want.get("filters") or [] if "dimension" in f
    ]
    for metric in metrics:
        for dim in dims:
            if not _known(project, metric, dim):
                return f"{dim} is not a dimension of {metric}"
    rng = want.get("time_range")
    start, end = (
        (dt.date.fromisoformat(str(rng[0])), dt.date.fromisoformat(str(rng[1]))) if rng else (None, None)
    )
    periods = [(start, end)]
    if want.get("comparison") == "previous_period" and start and end:
        periods.append(_previous(start, end))
    for s, e in periods:
        query = MetricQuery.build(
            want["metrics"],
            group_by=want.get("group_by"),
            where=where(want.get("filters") or []),
            start=s,
            end=e,
            order_by=want.get("order_by"),
            limit=want.get("limit"),
        )
        rows = project.run(query).rows
        if not rows or all(v in (None, 0) for row in rows for v in row[-len(metrics) :]):
            return f"empty answer for [{s}, {e})"
    for f in want.get("filters") or []:
        if "dimension" in f:
            seen = {
                _text(r[0])
                for r in project.run(MetricQuery.build(want["metrics"][0], group_by=f["dimension"])).rows
            }
            missing = {_text(v) for v in f["values"]} - seen
            if missing:
                return f"{f['dimension']} has no value {sorted(missing)}"
    return None


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def main(paths: list[str]) -> int:
    """Check every file; print the failing ids; exit 1 if any."""
    tmp = Path(tempfile.mkdtemp(prefix="qgold-"))
    builders = {
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
    files = {path: yaml.safe_load(Path(path).read_text()) or [] for path in paths}
    needed = {str(i["project"]) for items in files.values() for i in items}
    projects = {name: Project.load(build(tmp / name)) for name, build in builders.items() if name in needed}
    bad = 0
    for path in paths:
        items = files[path]
        answerable = [i for i in items if i["expect"].get("answerable", True)]
        for item in answerable:
            try:
                why = check(projects[item["project"]], item)
            except Exception as exc:  # a gold that does not compile is a finding, not a crash
                why = f"{type(exc).__name__}: {exc}"
            if why:
                bad += 1
                print(f"{item['id']}: {why}")
        print(
            f"{path}: {len(items)} items, {len(answerable)} answerable checked, {len(items) - len(answerable)} refusals"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
