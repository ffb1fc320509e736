"""Applying proposals to the project's YAML, touching only the lines they add or change.

Measures and dimensions are inserted at the end of their semantic model's list (the file keeps its
comments and layout); new metrics go to one file of proposed metrics; a deprecation sets
``config.meta.status``. Positions come from the loader's file and line numbers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from metricmind.errors import MetricmindError
from metricmind.spec.loader import load
from metricmind.spec.model import Model

_KEY = re.compile(r"^(\s*)(-\s+)?([A-Za-z_][\w]*)\s*:")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _blank(line: str) -> bool:
    s = line.strip()
    return not s or s.startswith("#")


def _dump_item(item: dict[str, Any], indent: int) -> list[str]:
    text = yaml.safe_dump([item], sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)
    return [(" " * indent + ln) if ln else ln for ln in text.splitlines()]


def _block_end(lines: list[str], start: int) -> int:
    """End (exclusive) of the list item starting at ``start`` (``- name: …``)."""
    dash = _indent(lines[start])
    i = start + 1
    while i < len(lines):
        ln = lines[i]
        if not _blank(ln) and _indent(ln) <= dash:
            break
        i += 1
    while i > start + 1 and _blank(lines[i - 1]):
        i -= 1
    return i


def _item_start(lines: list[str], line: int | None, name: str) -> int:
    """Index of the ``- name: <name>`` line (using the loader's 1-based line as a hint)."""
    pattern = re.compile(r"^\s*-\s+name\s*:\s*['\"]?" + re.escape(name) + r"['\"]?\s*(#.*)?$")
    if line is not None:
        for i in (line - 1, line - 2, line):
            if 0 <= i < len(lines) and pattern.match(lines[i]):
                return i
    for i, ln in enumerate(lines):
        if pattern.match(ln):
            return i
    raise MetricmindError(f"cannot find the YAML block of {name!r}")


def insert_list_item(text: str, name: str, line: int | None, key: str, item: dict[str, Any]) -> str:
    """Append ``item`` to the list ``key`` of the YAML list item ``- name: <name>``."""
    lines = text.splitlines()
    start = _item_start(lines, line, name)
    end = _block_end(lines, start)
    content = len(re.match(r"^\s*-\s+", lines[start]).group(0))  # type: ignore[union-attr]
    key_at = None
    for i in range(start, end):
        m = _KEY.match(lines[i])
        if m and m.group(3) == key and (i == start or _indent(lines[i]) == content):
            key_at = i
            break
    if key_at is None:
        new = [" " * content + f"{key}:"] + _dump_item(item, content + 2)
        lines[end:end] = new
        return "\n".join(lines) + "\n"
    key_indent = _indent(lines[key_at]) if key_at != start else content
    item_indent = None
    i = key_at + 1
    while i < end:
        ln = lines[i]
        if not _blank(ln):
            ind = _indent(ln)
            if ind < key_indent or (ind == key_indent and not ln.lstrip().startswith("-")):
                break
            if item_indent is None:
                item_indent = ind
        i += 1
    while i > key_at + 1 and _blank(lines[i - 1]):
        i -= 1
    lines[i:i] = _dump_item(item, item_indent if item_indent is not None else key_indent + 2)
    return "\n".join(lines) + "\n"


def set_meta_status(text: str, name: str, line: int | None, status: str) -> str:
    """Set ``config.meta.status`` of the list item ``- name: <name>``."""
    lines = text.splitlines()
    start = _item_start(lines, line, name)
    end = _block_end(lines, start)
    meta_at = None
    for i in range(start, end):
        m = _KEY.match(lines[i])
        if m and m.group(3) == "meta":
            meta_at = i
        elif (
            m
            and m.group(3) == "status"
            and meta_at is not None
            and _indent(lines[i]) > _indent(lines[meta_at])
        ):
            lines[i] = lines[i][: _indent(lines[i])] + f"status: {status}"
            return "\n".join(lines) + "\n"
    if meta_at is not None:
        lines.insert(meta_at + 1, " " * (_indent(lines[meta_at]) + 2) + f"status: {status}")
        return "\n".join(lines) + "\n"
    content = _indent(lines[start]) + 2
    lines[end:end] = [
        " " * content + "config:",
        " " * (content + 2) + "meta:",
        " " * (content + 4) + f"status: {status}",
    ]
    return "\n".join(lines) + "\n"


def _write_proposed(path: Path, data: dict[str, Any]) -> None:
    """Write the file of approved proposals (metrics, saved queries)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# Metrics proposed by `metricmind nightly` and approved in review (and saved queries).\n"
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


def apply(
    root: Path, changes: list[dict[str, Any]], proposals_file: str, model: Model | None = None
) -> list[str]:
    """Apply a proposal's changes to the project at ``root``; the files changed (relative paths)."""
    model = model if model is not None else load(root).model
    touched: list[str] = []
    for change in changes:
        op = change["op"]
        if op in ("add_measure", "add_dimension"):
            sm = model.semantic_models.get(change["semantic_model"])
            if sm is None or sm.file is None:
                raise MetricmindError(
                    f"semantic model {change['semantic_model']!r} is not in the project any more"
                )
            key, item = (
                ("measures", change["measure"])
                if op == "add_measure"
                else ("dimensions", change["dimension"])
            )
            existing = sm.measures if op == "add_measure" else sm.dimensions
            if any(x.name == item["name"] for x in existing):
                continue
            path = root / sm.file
            path.write_text(insert_list_item(path.read_text(), sm.name, sm.line, key, item))
            touched.append(sm.file)
        elif op == "add_metric":
            metric = change["metric"]
            if metric["name"] in model.metrics:
                raise MetricmindError(
                    f"metric {metric['name']!r} already exists", hint="Reject the proposal or rename it."
                )
            path = root / proposals_file
            data: dict[str, Any] = {}
            if path.exists():
                data = yaml.safe_load(path.read_text()) or {}
            metrics = [m for m in data.get("metrics", []) if m.get("name") != metric["name"]]
            metrics.append(metric)
            _write_proposed(path, data | {"metrics": metrics})
            touched.append(proposals_file)
        elif op == "add_saved_query":
            query = change["saved_query"]
            if query["name"] in model.saved_queries:
                continue
            path = root / proposals_file
            data = (yaml.safe_load(path.read_text()) or {}) if path.exists() else {}
            saved = [q for q in data.get("saved_queries", []) if q.get("name") != query["name"]]
            saved.append(query)
            _write_proposed(path, data | {"saved_queries": saved})
            touched.append(proposals_file)
        elif op == "set_status":
            m = model.metrics.get(change["metric"])
            if m is None or m.file is None:
                raise MetricmindError(f"metric {change['metric']!r} is not in the project any more")
            path = root / m.file
            path.write_text(set_meta_status(path.read_text(), m.name, m.line, change["status"]))
            touched.append(m.file)
        else:
            raise MetricmindError(f"unknown change {op!r}")
    return list(dict.fromkeys(touched))
