"""Comparing our result set with MetricFlow's: the same answer, up to what legitimately differs.

Cells are normalised first (date vs timestamp, int vs float vs Decimal, NaN vs NULL), rows are matched
as a multiset (identical rows, then rows equal within a tolerance, then brute force over what is left),
and the differences are reported in words a reader can act on.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$")


@dataclass(frozen=True)
class _Num:
    """A normalised number: exact when every source was an integer, else a float."""

    value: int | float

    def close_to(self, other: _Num, rel_tol: float, abs_tol: float) -> bool:
        if isinstance(self.value, int) and isinstance(other.value, int):
            return self.value == other.value
        return math.isclose(self.value, other.value, rel_tol=rel_tol, abs_tol=abs_tol) or (
            self.value == other.value
        )


def _iso(value: dt.datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    text = value.isoformat(timespec="microseconds")
    return text[: -len(".000000")] if text.endswith(".000000") else text


def _normalise(value: Any) -> Any:
    """Map one cell to a canonical, hashable form.

    NULL and NaN become None; bools stay bools; ints, integral Decimals, floats and Decimals become
    :class:`_Num`; dates, timestamps and ISO date(-time) strings become ``YYYY-MM-DDTHH:MM:SS[.ffffff]``
    (aware values in UTC); ``"Infinity"`` strings (the runner's spelling) become infinite numbers.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return _Num(value)
    if isinstance(value, decimal.Decimal):
        if value.is_nan():
            return None
        if value.is_finite() and value == value.to_integral_value():
            return _Num(int(value))
        return _Num(float(value))
    if isinstance(value, float):
        return None if math.isnan(value) else _Num(value)
    if isinstance(value, dt.datetime):
        return _iso(value)
    if isinstance(value, dt.date):
        return _iso(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        if value in ("Infinity", "-Infinity"):
            return _Num(float(value.replace("Infinity", "inf")))
        if _DATE.match(value) or _TIMESTAMP.match(value):
            try:
                return _iso(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
            except ValueError:  # shaped like a date but not one, e.g. 2024-13-45
                return value
        return value
    if isinstance(value, (list, tuple)):
        return tuple(_normalise(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _normalise(v)) for k, v in value.items()))
    if isinstance(value, dt.time):
        return value.isoformat()
    return str(value)


def _cells_equal(a: Any, b: Any, rel_tol: float, abs_tol: float) -> bool:
    if isinstance(a, _Num) and isinstance(b, _Num):
        return a.close_to(b, rel_tol, abs_tol)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(
            _cells_equal(x, y, rel_tol, abs_tol) for x, y in zip(a, b, strict=True)
        )
    return type(a) is type(b) and a == b


def _rows_equal(a: tuple[Any, ...], b: tuple[Any, ...], rel_tol: float, abs_tol: float) -> bool:
    return all(_cells_equal(x, y, rel_tol, abs_tol) for x, y in zip(a, b, strict=True))


def _show(cell: Any) -> str:
    if isinstance(cell, _Num):
        return repr(cell.value)
    if cell is None:
        return "NULL"
    return repr(cell)


def _rounded(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A hash key under which rows equal within a tolerance usually coincide (checked afterwards)."""
    out: list[Any] = []
    for cell in row:
        if isinstance(cell, _Num) and isinstance(cell.value, float) and math.isfinite(cell.value):
            out.append(float(f"{cell.value:.6g}") if abs(cell.value) >= 1e-6 else 0.0)
        elif isinstance(cell, _Num):
            out.append(float(cell.value) if math.isfinite(cell.value) else cell.value)
        else:
            out.append(cell)
    return tuple(out)


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The non-numeric cells of a row: its identity when matching leftovers for the report."""
    return tuple(None if isinstance(c, _Num) else c for c in row)


def _match(
    ours: list[tuple[Any, ...]], theirs: list[tuple[Any, ...]], rel_tol: float, abs_tol: float
) -> tuple[list[int], list[int]]:
    """Pair equal rows as a multiset; return the indexes left unmatched on each side.

    Three passes: identical rows (so a permutation always pairs up completely), then rows equal within
    tolerance under a rounded hash key, then brute force over what is left while that stays cheap.
    """
    left = list(range(len(ours)))
    right = list(range(len(theirs)))
    for key in (lambda row: row, _rounded):
        buckets: dict[Any, list[int]] = defaultdict(list)
        for j in right:
            buckets[key(theirs[j])].append(j)
        used: set[int] = set()
        unmatched: list[int] = []
        for i in left:
            bucket = buckets.get(key(ours[i]), [])
            j = next(
                (j for j in bucket if j not in used and _rows_equal(ours[i], theirs[j], rel_tol, abs_tol)), -1
            )
            if j < 0:
                unmatched.append(i)
            else:
                used.add(j)
        left, right = unmatched, [j for j in right if j not in used]
    if left and right and len(left) * len(right) <= 4_000_000:
        used = set()
        unmatched = []
        for i in left:
            j = next(
                (j for j in right if j not in used and _rows_equal(ours[i], theirs[j], rel_tol, abs_tol)), -1
            )
            if j < 0:
                unmatched.append(i)
            else:
                used.add(j)
        left, right = unmatched, [j for j in right if j not in used]
    return left, right


def compare_results(
    ours_columns: Sequence[str],
    ours_rows: Sequence[Sequence[Any]],
    mf_columns: Sequence[str],
    mf_rows: Sequence[Sequence[Any]],
    *,
    ordered: bool = False,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-6,
    max_diffs: int = 20,
) -> list[str]:
    """Compare our result set with MetricFlow's; an empty list means they are the same answer.

    Columns are matched by name (their order does not matter). Cells are normalised first: NULL and NaN
    are the same; ints, floats and Decimals compare as numbers (exactly when both are integral, else
    within ``rel_tol``/``abs_tol``); a date equals the timestamp at its midnight and the ISO strings of
    either (``2024-01-01`` == ``2024-01-01T00:00:00`` == ``2024-01-01 00:00:00``); bools only equal bools.
    Rows are compared as a multiset unless ``ordered``.

    Args:
        ours_columns: Our column names.
        ours_rows: Our rows, positionally matching ``ours_columns``.
        mf_columns: MetricFlow's column names.
        mf_rows: MetricFlow's rows.
        ordered: Also require the same row order.
        rel_tol: Relative tolerance for non-integral numbers.
        abs_tol: Absolute tolerance for non-integral numbers.
        max_diffs: Report at most this many row differences (then a count of the rest).

    Returns:
        Human-readable differences: column mismatches, row counts, rows missing from ours (MetricFlow
        has them), extra rows in ours, and value mismatches for rows whose non-numeric cells agree.
    """
    diffs: list[str] = []
    for side, columns in (("ours", ours_columns), ("metricflow", mf_columns)):
        dupes = sorted({c for c in columns if list(columns).count(c) > 1})
        if dupes:
            diffs.append(f"duplicate column names in {side}: {dupes}")
    missing = [c for c in mf_columns if c not in ours_columns]
    extra = [c for c in ours_columns if c not in mf_columns]
    if missing:
        diffs.append(f"columns missing in ours: {missing} (ours: {list(ours_columns)})")
    if extra:
        diffs.append(f"extra columns in ours: {extra} (metricflow: {list(mf_columns)})")
    common = [c for c in mf_columns if c in ours_columns]
    if not common or diffs and any(d.startswith("duplicate") for d in diffs):
        return diffs
    for side, columns, rows in (("ours", ours_columns, ours_rows), ("metricflow", mf_columns, mf_rows)):
        bad = [i for i, r in enumerate(rows) if len(r) != len(columns)]
        if bad:
            diffs.append(f"{side}: {len(bad)} row(s) do not have {len(columns)} cells (first: row {bad[0]})")
    if diffs and any("cells" in d for d in diffs):
        return diffs

    o_idx = [list(ours_columns).index(c) for c in common]
    m_idx = [list(mf_columns).index(c) for c in common]
    ours = [tuple(_normalise(r[i]) for i in o_idx) for r in ours_rows]
    theirs = [tuple(_normalise(r[i]) for i in m_idx) for r in mf_rows]
    if len(ours) != len(theirs):
        diffs.append(f"row count: ours {len(ours)}, metricflow {len(theirs)}")

    def describe(row: tuple[Any, ...]) -> str:
        return "{" + ", ".join(f"{c}: {_show(v)}" for c, v in zip(common, row, strict=True)) + "}"

    def mismatch(a: tuple[Any, ...], b: tuple[Any, ...]) -> str:
        return "; ".join(
            f"{c}: ours {_show(x)} != metricflow {_show(y)}"
            for c, x, y in zip(common, a, b, strict=True)
            if not _cells_equal(x, y, rel_tol, abs_tol)
        )

    row_diffs: list[str] = []
    if ordered:
        for n, (a, b) in enumerate(zip(ours, theirs, strict=False)):
            if not _rows_equal(a, b, rel_tol, abs_tol):
                row_diffs.append(f"row {n}: {mismatch(a, b)}")
        row_diffs += [
            f"extra in ours at row {n}: {describe(r)}" for n, r in enumerate(ours) if n >= len(theirs)
        ]
        row_diffs += [
            f"missing in ours at row {n}: {describe(r)}" for n, r in enumerate(theirs) if n >= len(ours)
        ]
        if row_diffs and _match(ours, theirs, rel_tol, abs_tol) == ([], []):
            diffs.append("same rows in a different order")
    else:
        left, right = _match(ours, theirs, rel_tol, abs_tol)
        # Leftovers that agree on every non-numeric cell (their group-by key) are one row with wrong values.
        right_by_key: dict[Any, list[int]] = defaultdict(list)
        for j in right:
            right_by_key[_key(theirs[j])].append(j)
        left_by_key: dict[Any, list[int]] = defaultdict(list)
        for i in left:
            left_by_key[_key(ours[i])].append(i)
        paired: set[int] = set()
        extras: list[str] = []
        for i in left:
            key = _key(ours[i])
            if len(left_by_key[key]) == 1 and len(right_by_key.get(key, [])) == 1:
                j = right_by_key[key][0]
                paired.add(j)
                where = ", ".join(
                    f"{c}: {_show(v)}"
                    for c, v in zip(common, ours[i], strict=True)
                    if not isinstance(v, _Num)
                )
                row_diffs.append(f"value mismatch at {{{where}}}: {mismatch(ours[i], theirs[j])}")
            else:
                extras.append(f"extra in ours: {describe(ours[i])}")
        row_diffs += [f"missing in ours: {describe(theirs[j])}" for j in right if j not in paired]
        row_diffs += extras
    if len(row_diffs) > max_diffs:
        row_diffs = [*row_diffs[:max_diffs], f"... and {len(row_diffs) - max_diffs} more row difference(s)"]
    return [*diffs, *row_diffs]


def ties_at_limit(
    ours_columns: Sequence[str],
    ours_all_rows: Sequence[Sequence[Any]],
    mf_columns: Sequence[str],
    mf_rows: Sequence[Sequence[Any]],
    order: Sequence[tuple[str, bool]],
    limit: int,
    *,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-6,
) -> bool:
    """Whether MetricFlow's limited rows are a first ``limit`` of our complete answer, up to ties.

    ``ours_all_rows`` is our answer to the same query without its limit; ``order`` the query's order as
    ``(column, descending)``. True when MetricFlow returned ``limit`` rows (or all there are), each is a row
    of our complete answer (numbers within tolerance), and no row it left out surely comes before one it
    kept: at their first order key that is not exactly equal the two differ beyond the tolerance (float
    noise, 1.0 against 1.0000000000000002, decides nothing) or one is NULL (last, DuckDB's default). Shop,
    seed 3, q59: 92 groups with a share of 1.0, ``limit=5``, and MetricFlow's noise put five of them first.
    """
    if sorted(ours_columns) != sorted(mf_columns) or any(c not in mf_columns for c, _ in order):
        return False
    if not order or len(mf_rows) != min(limit, len(ours_all_rows)):
        return False
    o_idx = [list(ours_columns).index(c) for c in mf_columns]
    ours = [tuple(_normalise(r[i]) for i in o_idx) for r in ours_all_rows]
    theirs = [tuple(_normalise(c) for c in r) for r in mf_rows]
    left, right = _match(ours, theirs, rel_tol, abs_tol)
    if right:
        return False  # a row of MetricFlow's that is no row of ours
    keys = [(list(mf_columns).index(c), desc) for c, desc in order]
    return not any(_surely_before(ours[i], r, keys, rel_tol, abs_tol) for i in left for r in theirs)


def _surely_before(
    x: tuple[Any, ...], r: tuple[Any, ...], keys: Sequence[tuple[int, bool]], rel_tol: float, abs_tol: float
) -> bool:
    """Whether row ``x`` sorts before row ``r`` whatever float noise their numbers carry."""
    for i, desc in keys:
        a, b = x[i], r[i]
        if a == b:
            continue
        if a is None or b is None:
            return b is None  # NULLs last
        if isinstance(a, _Num) and isinstance(b, _Num):
            if a.close_to(b, rel_tol, abs_tol):
                return False  # noise: the order from here on is undetermined
            return (a.value > b.value) if desc else (a.value < b.value)
        if type(a) is not type(b):
            return True  # not comparable: no excuse
        return bool(a > b) if desc else bool(a < b)
    return False
