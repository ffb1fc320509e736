"""YAML reading that remembers line numbers, so every issue can say ``file:line``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:  # libyaml is ~10x faster when present
    _Base: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on the build of PyYAML
    _Base = yaml.SafeLoader


class Node(dict[str, Any]):
    """A YAML mapping that knows the line it started on and the line of each key."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of ``key`` in this mapping, or of the mapping itself."""
        return self.key_lines.get(key, self.line)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Node:
    loader.flatten_mapping(node)
    result = Node()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if str(key) in result.key_lines:
            # YAML keeps the last of two equal keys: the first object would vanish without a word (dbt
            # refuses it too); e.g. two `semantic_model:` in one document without a '---' between them
            raise yaml.constructor.ConstructorError(
                f"while reading the mapping that starts on line {result.line}",
                node.start_mark,
                f"found duplicate key '{key}' (first on line {result.key_lines[str(key)]})",
                key_node.start_mark,
            )
        result[str(key)] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlProblem(Exception):
    """A file that is not valid YAML; carries the line and a hint."""

    def __init__(self, file: str, line: int | None, message: str, hint: str) -> None:
        super().__init__(message)
        self.file, self.line, self.message, self.hint = file, line, message, hint


def load_documents(path: Path, display: str | None = None) -> list[Any]:
    """Every document of a YAML file, mappings as ``Node``; raises ``YamlProblem`` on bad syntax."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlProblem(name, None, f"not UTF-8 text ({exc.reason})", "save the file as UTF-8") from exc
    return load_text(text, name)


def load_text(text: str, name: str) -> list[Any]:
    """Every document of YAML ``text`` (shown as the file ``name``), as ``load_documents`` reads a file;
    for text made in memory (a draft's item), which needs no file written and removed.
    """
    try:
        return [doc for doc in yaml.load_all(text, Loader=_Loader) if doc is not None]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or str(exc)
        hint = _hint_for(problem, text, line)
        raise YamlProblem(name, line, f"invalid YAML: {problem}", hint) from exc
    except yaml.YAMLError as exc:
        raise YamlProblem(name, None, f"invalid YAML: {exc}", "check indentation and quoting") from exc


def _hint_for(problem: str, text: str, line: int | None) -> str:
    lines = text.splitlines()
    current = lines[line - 1] if line and 0 < line <= len(lines) else ""
    if "\t" in current[: len(current) - len(current.lstrip())] or "'\\t'" in problem:
        return "YAML does not allow tabs for indentation; use spaces"
    if "mapping values are not allowed" in problem:
        return "a value contains ': ' — put it in quotes, or fix the indentation of the line above"
    if "could not find expected ':'" in problem:
        return "a key is missing its ':' or a quoted string is not closed"
    if "found undefined alias" in problem:
        return "a '*' starts a YAML alias; quote values that begin with '*'"
    if "did not find expected" in problem or "expected <block end>" in problem:
        return "check the indentation: items of one list or mapping must line up"
    if "found duplicate key" in problem:
        return "each key once per mapping: separate two objects with a line '---', or rename one key"
    if "cannot start any token" in problem:
        return "quote values that start with special characters such as '{{', '%', '@' or '`'"
    return "check indentation and quoting near this line"
