"""Fuzzing the YAML loader: whatever a project's files hold, loading gives a model and issues, never a crash.

Three kinds of damage, drawn by Hypothesis from the shop sample project's real files: the YAML tree
changed (a value replaced by another type, a key dropped, renamed or duplicated, a list emptied), the
text cut and spliced with junk (broken indentation, stray quotes, tabs, anchors, tags), and arbitrary
bytes. The loader and the rule checks must answer every one with a ``LoadResult`` whose issues each say
what is wrong (a message, and the file when a file is to blame) — or load cleanly.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metricmind.errors import Issue
from metricmind.spec import rules
from metricmind.spec.loader import load
from metricmind.testing.shop import SHOP

SEMANTIC = SHOP / "models" / "semantic_models.yml"
TREE = yaml.safe_load(SEMANTIC.read_text())
TEXT = SEMANTIC.read_text()

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "",
            "ref('missing')",
            "{{ Dimension('customer__segment') }} = 'x'",
            "{{ Metric('revenue', group_by=['customer']) }} > 1",
            "{% if true %}x{% endif %}",
            "sum",
            "count_distinct",
            "day",
            "month",
            "primary",
            "foreign",
            "simple",
            "ratio",
            "derived",
            "cumulative",
            "conversion",
            "amount; drop table x",
            "a" * 300,
        ]
    ),
)
VALUES: st.SearchStrategy[Any] = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=6,
)
JUNK = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        ["\t", ":", "- ", "  ", "'", '"', "&a ", "*a", "!!python/object ", "{", "[", "---\n", "\n  x"]
    ),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


PATHS = [p for p in _paths(TREE) if p]


def _parent(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


@st.composite
def mutated_tree(draw: st.DrawFn) -> str:
    """The semantic models' YAML with a few structural changes, dumped back to text."""
    tree = yaml.safe_load(TEXT)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        try:
            parent = _parent(tree, path)
            key = path[-1]
            parent[key]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
        action = draw(st.sampled_from(["replace", "drop", "rename", "duplicate", "empty"]))
        if action == "replace":
            parent[key] = draw(VALUES)
        elif action == "drop":
            del parent[key]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(parent[key])
        elif action == "empty":
            parent[key] = draw(st.sampled_from([[], {}, None, ""]))
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)


@st.composite
def spliced_text(draw: st.DrawFn) -> str:
    """The file's text cut at random places with junk put in."""
    text = TEXT
    for _ in range(draw(st.integers(1, 5))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 40)))
        text = text[:i] + draw(JUNK) + text[j:]
    return text


def _check(issues: list[Issue]) -> None:
    for issue in issues:
        assert issue.message.strip(), issue
        if issue.line is not None:
            assert issue.file, f"a line without a file: {issue}"
            assert issue.line >= 1, issue


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="fuzz-loader-"))
    shutil.copytree(SHOP, root / "p", ignore=shutil.ignore_patterns("*.duckdb", "target", "seeds"))
    yield root / "p"
    shutil.rmtree(root, ignore_errors=True)


def _load_with(project: Path, content: str | bytes) -> None:
    target = project / "models" / "semantic_models.yml"
    if isinstance(content, bytes):
        target.write_bytes(content)
    else:
        target.write_text(content, encoding="utf-8")
    try:
        result = load(project)
        issues = list(result.issues) + rules.check(result.model, dialect="duckdb")
    finally:
        target.write_text(TEXT, encoding="utf-8")
    _check(issues)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=mutated_tree())
def test_a_changed_yaml_tree_loads_with_issues_never_a_crash(scratch: Path, content: str) -> None:
    _load_with(scratch, content)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=spliced_text())
def test_spliced_text_loads_with_issues_never_a_crash(scratch: Path, content: str) -> None:
    _load_with(scratch, content)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=300))
def test_arbitrary_bytes_load_with_issues_never_a_crash(scratch: Path, content: bytes) -> None:
    _load_with(scratch, content)


def test_a_broken_file_is_named_with_its_line(scratch: Path) -> None:
    """The property's floor: a syntax error is reported against the file and line that hold it."""
    target = scratch / "models" / "semantic_models.yml"
    lines = TEXT.splitlines()
    lines.insert(3, "  broken: [unclosed")
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        result = load(scratch)
    finally:
        target.write_text(TEXT, encoding="utf-8")
    errors = [i for i in result.issues if i.code == "yaml"]
    assert errors and errors[0].file == "models/semantic_models.yml" and errors[0].line, result.issues


SETTINGS_KEYS = st.sampled_from(
    ["name", "warehouse", "dialect", "profile", "target", "profiles_dir", "time_spine", "catalog", "web"]
)
WAREHOUSE_KEYS = st.sampled_from(["type", "path", "schema", "url", "role", "database", "threads"])


@st.composite
def settings_text(draw: st.DrawFn) -> str:
    """A ``metricmind.yml`` whose keys hold values of any type."""
    tree: dict[Any, Any] = {"name": "shop", "warehouse": {"type": "duckdb", "path": "target/shop.duckdb"}}
    for _ in range(draw(st.integers(1, 4))):
        if draw(st.booleans()) and isinstance(tree.get("warehouse"), dict):
            tree["warehouse"][draw(WAREHOUSE_KEYS)] = draw(VALUES)
        else:
            tree[draw(SETTINGS_KEYS)] = draw(VALUES)
    return yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(settings_text(), st.text(max_size=60)))
def test_any_settings_file_loads_with_issues_never_a_crash(scratch: Path, content: str) -> None:
    target = scratch / "metricmind.yml"
    original = target.read_text(encoding="utf-8")
    target.write_text(content, encoding="utf-8")
    try:
        result = load(scratch)
        issues = list(result.issues) + rules.check(result.model, dialect="duckdb")
    except Exception as exc:  # the loader's own clear errors name the settings file
        assert "metricmind.yml" in str(exc), repr(exc)
    else:
        _check(issues)
    finally:
        target.write_text(original, encoding="utf-8")
