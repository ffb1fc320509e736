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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from metricmind.errors import ExpressionError, IssueList, SpecError, StoreError
from metricmind.spec import expressions, parse
from metricmind.spec.model import Metric, Model
from metricmind.spec.yamlio import Node, load_text

#: The list key of each kind in a YAML file, and the one-object-per-document key.
KEYS = {"metric": ("metrics", "metric"), "dataset": ("canonical_datasets", "canonical_dataset")}
#: Where a newly published definition goes, relative to the project folder.
NEW_FILES = {"metric": "models/metrics/{name}.yml", "dataset": "models/canonical/{name}.yml"}

#: Longest text, in characters, a definition's names, labels and other texts (description, rules, ``expr``,
#: filters …) may hold; the same limits as the web forms (``interfaces/web/drafts.py``).
MAX_NAME = 128
MAX_LABEL = 256
MAX_TEXT = 10_000
#: Longest definition as YAML text (all its fields together), and deepest nesting of its values.
MAX_ITEM = 100_000
MAX_DEPTH = 16
_SHORT = {"name": MAX_NAME, "label": MAX_LABEL, "category": MAX_NAME, "owner": MAX_NAME}


class TooLong(StoreError):
    """A definition (or one of its fields, or a reason) is longer than the catalog accepts."""

    code = "too_long"


def check_text(value: str | None, what: str, limit: int = MAX_TEXT) -> str:
    """``value`` (or ``""``) when it holds at most ``limit`` characters; else ``TooLong`` naming ``what``."""
    text = value or ""
    if len(text) > limit:
        raise TooLong(
            f"the {what} is {len(text):,} characters long; at most {limit:,} are accepted",
            hint=f"Shorten the {what}; put long documentation in a linked page.",
        )
    return text


def check_size(definition: dict[str, Any], kind: str = "metric") -> None:
    """``TooLong`` when a field of ``definition`` is too long, it nests too deep, or it is too big in all.

    Names, categories and owners hold at most ``MAX_NAME`` characters, labels ``MAX_LABEL``, any other
    text ``MAX_TEXT``; the whole definition as YAML at most ``MAX_ITEM``. Checked before anything else
    (parsing, writing) so a huge input costs little.
    """
    stack: list[tuple[str, Any, int]] = [(kind, definition, 0)]
    total = 0
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TooLong(
                f"the {kind} definition nests deeper than {MAX_DEPTH} levels (at {path})",
                hint="A definition is a flat mapping of a few levels; check the input.",
            )
        if isinstance(value, dict):
            for key, item in value.items():
                check_text(str(key), f"key {str(key)[:40]!r} of {path}", MAX_NAME)
                stack.append((f"{path}.{key}", item, depth + 1))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{i}]", item, depth + 1) for i, item in enumerate(value))
        elif isinstance(value, str):
            field = path.rsplit(".", 1)[-1]
            check_text(value, f"field {path}", _SHORT.get(field, MAX_TEXT))
            total += len(value)
        else:
            total += 8
        if total > MAX_ITEM:
            raise TooLong(
                f"the {kind} definition is larger than {MAX_ITEM:,} characters",
                hint="Split it, or move long texts out of the definition.",
            )


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
    docs = load_text(to_yaml(definition), "draft.yml")
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
    """Validate a definition of ``kind`` (sizes first, see ``check_size``); its name."""
    check_kind(kind)
    if isinstance(definition, dict):
        check_size(definition, kind)
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
@dataclass(frozen=True)
class Rendered:
    """A project file as publishing a definition would leave it: its path, new text and old text (None: new)."""

    path: Path
    text: str
    before: str | None


def render(
    root: Path, kind: str, definition: dict[str, Any], file: str | None, line: int | None = None
) -> Rendered:
    """The file ``definition`` is published into and its new text; nothing is written.

    The definition replaces its item in ``file`` (the item starts on ``line`` when known) when it lives
    there, else it gets a new file (``NEW_FILES``).
    """
    name = str(definition["name"])
    if file and (root / file).exists():
        path = root / file
        text = path.read_text(encoding="utf-8")
        return Rendered(path, _replace_item(text, kind, name, definition, line), text)
    path = root / NEW_FILES[kind].format(name=name)
    before = path.read_text(encoding="utf-8") if path.exists() else None
    return Rendered(path, to_yaml(definition, kind), before)


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
