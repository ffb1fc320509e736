"""The parsing context and the field readers every kind of YAML item is read with.

Names (lower snake_case), allowed keys, sub-mappings, ``meta``, text, filters (``Where``), model
references (``ref('x')`` or ``node_relation``) and granularities. Each reader records an issue (with
file and line) for what it cannot read and returns a usable default, so that parsing goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from metricmind.errors import IssueList, closest
from metricmind.spec.model import FINE_GRAINS, SUB_DAY, Grain, Where
from metricmind.spec.parse.keys import KEYS
from metricmind.spec.yamlio import Node

_REF = re.compile(
    r"""^\s*ref\(\s*(?:['"][^'"]+['"]\s*,\s*)?['"]([^'"]+)['"]\s*(?:,\s*v(?:ersion)?\s*=\s*\S+\s*)?\)\s*$"""
)


def ref_name(text: str) -> str | None:
    """``ref('orders')`` → ``orders``; None when the text is not a ref."""
    m = _REF.match(text)
    return m.group(1) if m else None


def qualify(name: str, schema: str | None) -> str:
    """Prefix a model name with the configured schema."""
    return f"{schema}.{name}" if schema and "." not in name else name


@dataclass
class Context:
    """Where we are while parsing, and where issues go."""

    issues: IssueList
    schema: str | None = None
    file: str | None = None


def check_keys(node: Node, kind: str, ctx: Context, what: str) -> None:
    """An ``unknown_key`` issue for each key of ``node`` that ``kind`` does not allow (nearest one as hint)."""
    allowed = KEYS[kind]
    for key in node:
        if key not in allowed:
            near = closest(key, allowed, n=1)
            hint = f"did you mean '{near[0]}'?" if near else f"allowed keys: {', '.join(sorted(allowed))}"
            ctx.issues.error(
                f"{what}: unknown key '{key}'", ctx.file, node.line_of(key), hint, code="unknown_key"
            )


def name_of(node: Node, ctx: Context, what: str) -> str | None:
    """The item's ``name`` (issues when it is missing, not lower snake_case or holds ``__``); None when missing."""
    name = node.get("name")
    if not isinstance(name, str) or not name.strip():
        ctx.issues.error(f"{what} has no 'name'", ctx.file, node.line, "add 'name: <snake_case_name>'")
        return None
    check_name(name, ctx, node.line_of("name"), what)
    return name


def check_name(name: str, ctx: Context, line: int | None, what: str, hint: str = "") -> None:
    """Issues when ``name`` is not lower snake_case or holds ``__`` (``hint`` is added to the fix)."""
    if not name.replace("_", "a").isalnum() or not name[0].isalpha() or name != name.lower():
        ctx.issues.error(
            f"{what} name '{name}' must be lower snake_case (letters, digits, underscores)",
            ctx.file,
            line,
            f"use '{_snake(name)}'{hint}",
            code="bad_name",
        )
    if "__" in name:
        ctx.issues.error(
            f"{what} name '{name}' must not contain '__' (it separates entity paths)",
            ctx.file,
            line,
            f"use '{name.replace('__', '_')}'{hint}",
            code="bad_name",
        )


def _snake(text: str) -> str:
    out = "".join(c if c.isalnum() else "_" for c in text.strip().lower())
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_") or "name"


def did_you_mean(word: str, choices: list[str]) -> str:
    """A hint: the choice nearest to ``word``, or all of them."""
    near = closest(word, choices, n=1)
    return f"did you mean '{near[0]}'?" if near else f"use one of: {', '.join(choices)}"


def sub(node: Node, key: str) -> Node:
    """``node[key]`` when it is a mapping, else an empty mapping (located at ``node``)."""
    value = node.get(key)
    if isinstance(value, Node):
        return value
    empty = Node()
    empty.line, empty.key_lines = node.line_of(key), {}
    return empty


def meta_of(node: Node) -> dict[str, Any]:
    """The item's ``meta`` merged with its ``config.meta`` (which wins)."""
    config = node.get("config")
    meta: dict[str, Any] = {}
    if isinstance(node.get("meta"), dict):
        meta.update(node["meta"])
    if isinstance(config, dict) and isinstance(config.get("meta"), dict):
        meta.update(config["meta"])
    return meta


def text_of(node: Node, key: str) -> str:
    """``node[key]`` as stripped text (empty when missing)."""
    value = node.get(key)
    return str(value).strip() if value is not None else ""


def wheres(value: Any, node: Node, key: str, ctx: Context) -> tuple[Where, ...]:
    """A filter (one SQL condition or a list of them) as ``Where``s located at ``node[key]``."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, str) and item.strip():
            out.append(Where(item.strip(), ctx.file, node.line_of(key)))
        else:
            ctx.issues.error(
                f"'{key}' must be a SQL condition string or a list of them",
                ctx.file,
                node.line_of(key),
                """write filter: "{{ Dimension('customer__segment') }} = 'SMB'\"""",
            )
    return tuple(out)


def relation_of(node: Node, ctx: Context, what: str) -> tuple[str, str]:
    """The (relation, ref name) of a semantic model or dataset: from ``model: ref('x')`` or ``node_relation``."""
    raw = node.get("model")
    if isinstance(raw, str) and raw.strip():
        name = ref_name(raw)
        if name is None:
            if raw.strip().startswith("ref"):
                ctx.issues.error(
                    f"{what}: cannot read model reference {raw!r}",
                    ctx.file,
                    node.line_of("model"),
                    "write model: ref('my_model')",
                )
                return "", ""
            return raw.strip(), raw.strip().rsplit(".", 1)[-1]
        return qualify(name, ctx.schema), name
    rel = node.get("node_relation") or node.get("relation")
    if isinstance(rel, dict):
        alias = str(rel.get("alias") or "")
        if rel.get("relation_name"):
            return str(rel["relation_name"]), alias
        schema = rel.get("schema_name")
        return (f"{schema}.{alias}" if schema else qualify(alias, ctx.schema)), alias
    if isinstance(rel, str):
        return rel, rel.rsplit(".", 1)[-1]
    ctx.issues.error(f"{what} has no 'model'", ctx.file, node.line, "add model: ref('<dbt model name>')")
    return "", ""


def grain_of(value: Any, node: Node, key: str, ctx: Context, what: str) -> Grain | None:
    """A granularity (finer than a second: read as a second, with a warning); None when missing or unknown."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in FINE_GRAINS:
        ctx.issues.warning(
            f"{what}: granularity '{text}' is finer than a second; metricmind groups by a second or coarser",
            ctx.file,
            node.line_of(key),
            "use 'second' (or hour, minute) unless you need finer metric_time",
        )
        return Grain.SECOND
    try:
        return Grain.parse(text)
    except ValueError:
        ctx.issues.error(
            f"{what}: unknown granularity '{value}'",
            ctx.file,
            node.line_of(key),
            f"use one of: {', '.join(g.value for g in Grain)}",
        )
        return None


def period_of(
    value: Any, node: Node, key: str, ctx: Context, what: str, *, sub_day: bool = False
) -> Grain | None:
    """A ``grain_to_date`` or ``offset_to_grain``: like :func:`grain_of`, but a grain finer than a
    second, or (unless ``sub_day``) than a day, is an error (read as a day it would change what the metric
    counts: hour-to-date is not day-to-date).
    """
    refused = FINE_GRAINS if sub_day else (*FINE_GRAINS, *SUB_DAY)
    if value is not None and str(value).strip().lower() in refused:
        ctx.issues.error(
            f"{what}: {key} '{value}' is finer than a day: sub-day periods are not supported "
            "(metricmind compiles at a day or coarser)",
            ctx.file,
            node.line_of(key),
            "use day or a coarser grain",
        )
        return None
    return grain_of(value, node, key, ctx, what)


def list_of(node: Node, key: str, ctx: Context, what: str) -> list[Node]:
    """The mappings of the list ``node[key]`` (an issue when it is no list)."""
    value = node.get(key) or []
    if not isinstance(value, list):
        ctx.issues.error(
            f"{what}: '{key}' must be a list",
            ctx.file,
            node.line_of(key),
            f"write '{key}:' then '- name: ...'",
        )
        return []
    return [v for v in value if isinstance(v, Node)]
