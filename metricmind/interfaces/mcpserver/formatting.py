"""Compact tool output for language models: CSV with row and size caps, loose list arguments, errors.

Everything here is pure (no MCP import), so it is tested on its own.

>>> print(to_csv(["group", "value"], [("A", 10.5), ("B", 99.0)], max_rows=1))
group,value
A,10.5
# cut: showing 1 of 2 rows (max_rows=1). Narrow the query (filters, a coarser grain, a limit) or raise max_rows.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Sequence
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError

from metricmind.errors import MetricmindError, QueryError, UnknownNameError, with_hint
from metricmind.project import json_value

MAX_ROWS = 200
"""Rows returned by default."""
MAX_ROWS_CEILING = 5000
"""The most rows a caller may ask for."""
MAX_CHARS = 20_000
"""The most characters of CSV returned by default (about 5k tokens)."""
MAX_CHARS_CEILING = 200_000
"""The most characters a caller may ask for."""


def clamp(value: int | None, default: int, ceiling: int, what: str) -> int:
    """``value`` (or ``default``) checked to lie in ``1..ceiling``."""
    if value is None:
        return default
    if value < 1 or value > ceiling:
        raise QueryError(f"{what} {value} is out of range", hint=f"Use a number from 1 to {ceiling}.")
    return value


def cell(value: Any) -> Any:
    """A CSV cell: JSON-safe, ``None`` as empty, floats without noise."""
    value = json_value(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(round(value, 6)) if value != int(value) or abs(value) >= 1e15 else str(int(value))
    return value


def to_csv(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    max_rows: int = MAX_ROWS,
    max_chars: int = MAX_CHARS,
    more: bool = False,
    rows_arg: str = "max_rows",
) -> str:
    """CSV with a header; at most ``max_rows`` rows and about ``max_chars`` characters.

    When rows are left out a last line starting with ``# cut:`` says how many and what to do.
    ``more`` says the caller already knows more rows exist than ``rows`` holds (a query run with a
    limit of ``max_rows + 1``), so the total is unknown. ``rows_arg`` names the tool argument to raise.
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    shown = 0
    for row in rows[:max_rows]:
        line = io.StringIO()
        csv.writer(line, lineterminator="\n").writerow([cell(v) for v in row])
        text = line.getvalue()
        if shown and buf.tell() + len(text) > max_chars:
            break
        buf.write(text)
        shown += 1
    total = len(rows)
    if shown == total and not more:
        return buf.getvalue().rstrip("\n")
    of = f"more than {total - 1}" if more else f"{total}"
    reason = f"{rows_arg}={max_rows}" if shown == min(total, max_rows) else f"max_chars={max_chars}"
    return (
        buf.getvalue()
        + f"# cut: showing {shown} of {of} rows ({reason}). Narrow the query (filters, a coarser grain, "
        + f"a limit) or raise {reason.split('=')[0]}."
    )


def guard(method: Callable[..., str]) -> Callable[..., str]:
    """Turn metricmind errors into a tool error the model can read (message, hint, did you mean)."""

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> str:
        try:
            return method(*args, **kwargs)
        except MetricmindError as exc:
            raise ToolError(error_text(exc)) from exc

    return call


def json_list(text: str, what: str, hint: str) -> Any:
    """``text`` (which starts with ``[``) parsed as JSON; a ``QueryError`` naming ``what`` when it is not."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise QueryError(f"{what} {text[:60]!r} is not a valid JSON list", hint=hint) from exc


def names(value: str | Sequence[str] | None, what: str = "value") -> list[str]:
    """A list of names from a list, a JSON list in a string, or a comma-separated string."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return names(json_list(text, what, 'Write ["a", "b"] or a,b.'), what)
        if not text:
            return []
        return [text] if "(" in text else [p.strip() for p in text.split(",") if p.strip()]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise QueryError(f"{what} must be names (strings), not {item!r}")
            out.extend(names(item, what) if "(" not in item else [item.strip()])
        return out
    raise QueryError(f"{what} must be a list of names or a comma-separated string, not {value!r}")


def filters(value: str | Sequence[str] | None) -> list[str]:
    """Where filters: a list, a JSON list in a string, or one filter (commas kept: they belong to SQL)."""
    if value is None:
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = json.loads(text)
            except ValueError:
                return [text]
            return filters(parsed)
        return [text] if text else []
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return [v for v in value if v.strip()]
    raise QueryError(f"where must be a filter or a list of filters, not {value!r}")


def mapping(value: str | dict[str, Any] | None, what: str) -> dict[str, Any] | None:
    """A dictionary, also from a JSON object in a string."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise QueryError(f"{what} is not a JSON object", hint='Write {"metrics": ["<metric>"]}.') from exc
    if not isinstance(value, dict):
        raise QueryError(f"{what} must be a JSON object, not {type(value).__name__}")
    return value


def error_text(exc: MetricmindError) -> str:
    """The message a model reads when a tool fails: what, the fix, then the JSON error shape."""
    hint = exc.hint if not (isinstance(exc, UnknownNameError) and not exc.suggestions) else None
    text = f"error ({exc.code}): {with_hint(exc.message, hint)}"
    if isinstance(exc, UnknownNameError):
        text += " Call list_metrics, or describe_metrics for a metric's dimensions, to see the names."
    return f"{text}\n{json.dumps(exc.to_dict(), default=str)}"
