"""Definitions as YAML: the MetricFlow ``metrics:`` item (or a ``canonical_datasets:`` item) of one object.

A definition is the dictionary the YAML file holds for one metric or canonical dataset (``name``,
``label``, ``description``, ``type``, ``type_params``, ``filter``, ``config.meta`` …). This module reads
those items from the project's files, validates new ones with the project's own parser, renders them,
diffs them, and writes published ones back into the project (the YAML in git is the source of truth).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from metricmind.errors import ExpressionError, IssueList, SpecError, StoreError
from metricmind.spec import expressions, parse
from metricmind.spec.model import Metric, Model
from metricmind.spec.yamlio import Node, load_documents

#: The list key of each kind in a YAML file, and the one-object-per-document key.
KEYS = {"metric": ("metrics", "metric"), "dataset": ("canonical_datasets", "canonical_dataset")}
#: Where a newly published definition goes, relative to the project folder.
NEW_FILES = {"metric": "models/metrics/{name}.yml", "dataset": "models/canonical/{name}.yml"}


def check_kind(kind: str) -> str:
    """``kind`` when it is ``metric`` or ``dataset``; else a ``StoreError``."""
    if kind not in KEYS:
        raise StoreError(f"unknown kind {kind!r}", hint="Use 'metric' or 'dataset'.")
    return kind


def to_yaml(definition: dict[str, Any], kind: str = "metric") -> str:
    """The YAML text of one definition, as a ``metrics:`` (or ``canonical_datasets:``) file."""
    return yaml.safe_dump({KEYS[kind][0]: [definition]}, sort_keys=False, allow_unicode=True, width=100)


def item_text(definition: dict[str, Any] | None) -> str:
    """The YAML text of the item alone (what versions store and diffs compare); empty for None."""
    if definition is None:
        return ""
    return yaml.safe_dump(definition, sort_keys=False, allow_unicode=True, width=100)


def from_text(text: str) -> dict[str, Any]:
    """The definition stored as ``item_text``."""
    data = yaml.safe_load(text) if text.strip() else {}
    return dict(data) if isinstance(data, dict) else {}


def digest(definition: dict[str, Any]) -> str:
    """A hash of the definition's content (formatting and key order do not count)."""
    return hashlib.sha256(json.dumps(definition, sort_keys=True, default=str).encode()).hexdigest()


def diff(old: str, new: str, label: str) -> str:
    """A unified diff of two item texts."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"a/{label}",
        tofile=f"b/{label}",
    )
    return "".join(lines)


def parse_definition(definition: dict[str, Any]) -> Metric:
    """Parse a metric definition with the project's own parser; ``SpecError`` lists every problem."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "draft.yml"
        path.write_text(to_yaml(definition), encoding="utf-8")
        docs = load_documents(path, "draft.yml")
    issues = IssueList()
    ctx = parse.Context(issues=issues, schema=None)
    ctx.file = "draft.yml"
    items = docs[0].get("metrics") if docs and isinstance(docs[0], Node) else None
    metric = parse.metric(items[0], ctx) if items else None
    if metric is not None and metric.expr:
        # A draft's expression is checked before it is stored, not only when it is compiled.
        try:
            expressions.check(
                metric.expr,
                "duckdb",
                inputs={i.ref_name for i in metric.inputs},
                what=f"derived metric '{metric.name}': expr",
            )
        except ExpressionError as exc:
            issues.error(exc.message, "draft.yml", metric.line, exc.hint)
    if issues.errors or metric is None:
        raise SpecError(issues.errors or issues.items)
    return metric


def check(definition: dict[str, Any], kind: str) -> str:
    """Validate a definition of ``kind``; its name."""
    check_kind(kind)
    name = definition.get("name") if isinstance(definition, dict) else None
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise StoreError(
            f"the {kind} definition has no valid name: {name!r}", hint="Give it a lower_snake_case `name`."
        )
    if kind == "metric":
        parse_definition(definition)
    elif not definition.get("model"):
        raise StoreError(
            f"canonical dataset '{name}' has no `model`", hint="Write model: ref('the_dbt_model')."
        )
    return name


# -- reading the project's files ----------------------------------------------------------------------
def read_items(root: Path, files: set[str], kind: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """``name → (file, item)`` for every definition of ``kind`` in ``files`` (relative to ``root``)."""
    plural, single = KEYS[kind]
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for rel in sorted(files):
        try:
            docs = list(yaml.safe_load_all((root / rel).read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError):
            continue
        for doc in docs:
            if not isinstance(doc, dict):
                continue
            listed = doc.get(plural)
            items: list[Any] = list(listed) if isinstance(listed, list) else []
            if isinstance(doc.get(single), dict):
                items = [*items, doc[single]]
            for item in items:
                if isinstance(item, dict) and isinstance(item.get("name"), str):
                    out.setdefault(item["name"], (rel, item))
    return out


def files_of(model: Model, kind: str) -> set[str]:
    """The files that hold the model's definitions of ``kind``."""
    objs: list[Any] = list(model.metrics.values() if kind == "metric" else model.canonical_datasets.values())
    return {o.file for o in objs if o.file}


# -- writing ---------------------------------------------------------------------------------------------
@dataclass
class Written:
    """A file the publisher changed and what it held before (None: it did not exist), for undo."""

    path: Path
    before: str | None

    def undo(self) -> None:
        """Put the file back as it was."""
        if self.before is None:
            self.path.unlink(missing_ok=True)
        else:
            _atomic_write(self.path, self.before)


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def publish(
    root: Path, kind: str, definition: dict[str, Any], file: str | None, line: int | None = None
) -> Written:
    """Write ``definition`` into the project: replace it in ``file`` (its item starts on ``line`` when
    known) when it lives there, else write a new file.
    """
    name = str(definition["name"])
    if file and (root / file).exists():
        path = root / file
        text = path.read_text(encoding="utf-8")
        _atomic_write(path, _replace_item(text, kind, name, definition, line))
        return Written(path, text)
    path = root / NEW_FILES[kind].format(name=name)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    _atomic_write(path, to_yaml(definition, kind))
    return Written(path, before)


def _replace_item(
    text: str, kind: str, name: str, definition: dict[str, Any], line: int | None = None
) -> str:
    """``text`` with the list item called ``name`` replaced, other lines (and comments) kept as they were.

    The item is found by its ``- name: <name>`` line: the one on ``line`` when given, else the least
    indented one (a derived metric's ``metrics:`` inputs also read ``- name: x``). When it is not written
    that way, the file is rewritten from its parsed content (comments are then lost).
    """
    lines = text.splitlines(keepends=True)
    head = re.compile(rf"^(\s*)-\s+name:\s*['\"]?{re.escape(name)}['\"]?\s*(#.*)?$")
    found = [(i, m) for i, ln in enumerate(lines) if (m := head.match(ln.rstrip("\n")))]
    at_line = [(i, m) for i, m in found if line is not None and i == line - 1]
    found = at_line or sorted(found, key=lambda f: (len(f[1].group(1)), f[0]))[:1]
    for i, m in found:
        indent = len(m.group(1))
        end = i + 1
        while end < len(lines):
            body = lines[end]
            stripped = body.strip()
            if stripped and not stripped.startswith("#") and len(body) - len(body.lstrip()) <= indent:
                break
            end += 1
        # Trailing blank and comment lines belong to what follows.
        while end > i + 1 and (not lines[end - 1].strip() or lines[end - 1].strip().startswith("#")):
            end -= 1
        dumped = yaml.safe_dump([definition], sort_keys=False, allow_unicode=True, width=100)
        pad = " " * indent
        block = "".join(pad + ln if ln.strip() else ln for ln in dumped.splitlines(keepends=True))
        return "".join(lines[:i]) + block + "".join(lines[end:])
    docs = [d for d in yaml.safe_load_all(text) if d is not None]
    plural, single = KEYS[kind]
    for doc in docs:
        if isinstance(doc, dict):
            if isinstance(doc.get(plural), list):
                doc[plural] = [
                    definition if isinstance(it, dict) and it.get("name") == name else it
                    for it in doc[plural]
                ]
            if isinstance(doc.get(single), dict) and doc[single].get("name") == name:
                doc[single] = definition
    return yaml.safe_dump_all(docs, sort_keys=False, allow_unicode=True, width=100)
