"""CSV caps and loose arguments, without a server."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from metricmind.errors import QueryError, UnknownNameError
from metricmind.interfaces.mcpserver import formatting as fmt


def test_csv_values() -> None:
    rows = [(dt.date(2026, 1, 1), decimal.Decimal("1.50"), 3.0, None, 'say "hi", ok')]
    assert fmt.to_csv(["d", "n", "f", "x", "s"], rows) == 'd,n,f,x,s\n2026-01-01,1.5,3,,"say ""hi"", ok"'


def test_csv_row_cap_with_known_total() -> None:
    out = fmt.to_csv(["n"], [(i,) for i in range(10)], max_rows=4)
    assert out.splitlines()[:5] == ["n", "0", "1", "2", "3"]
    assert out.splitlines()[-1].startswith("# cut: showing 4 of 10 rows (max_rows=4)")


def test_csv_char_cap_keeps_whole_rows() -> None:
    rows = [("x" * 50,) for _ in range(100)]
    out = fmt.to_csv(["text"], rows, max_chars=500)
    body = out.splitlines()[:-1]
    assert all(line in ("text", "x" * 50) for line in body)
    assert len("\n".join(body)) <= 500
    assert out.splitlines()[-1].startswith(f"# cut: showing {len(body) - 1} of 100 rows (max_chars=500)")


def test_csv_more_means_unknown_total() -> None:
    out = fmt.to_csv(["n"], [(i,) for i in range(4)], max_rows=3, more=True, rows_arg="max_values")
    assert out.splitlines()[-1].startswith("# cut: showing 3 of more than 3 rows (max_values=3)")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("mrr", ["mrr"]),
        ("mrr, arr", ["mrr", "arr"]),
        ('["mrr", "arr"]', ["mrr", "arr"]),
        (["mrr,arr", "cac"], ["mrr", "arr", "cac"]),
        ("TimeDimension('metric_time', 'month')", ["TimeDimension('metric_time', 'month')"]),
    ],
)
def test_names(value: object, expected: list[str]) -> None:
    assert fmt.names(value, "metrics") == expected  # type: ignore[arg-type]


def test_names_errors() -> None:
    with pytest.raises(QueryError, match="not a valid JSON list"):
        fmt.names("[1,", "metrics")
    with pytest.raises(QueryError, match="must be names"):
        fmt.names([1], "metrics")  # type: ignore[list-item]


def test_filters_keep_commas() -> None:
    f = "{{ Dimension('customer__region') }} IN ('NA', 'EMEA')"
    assert fmt.filters(f) == [f]
    assert fmt.filters(f'["{f}"]') == [f]
    assert fmt.filters([f, " "]) == [f]


def test_mapping_and_clamp() -> None:
    assert fmt.mapping('{"metrics": ["mrr"]}', "query") == {"metrics": ["mrr"]}
    assert fmt.mapping("", "query") is None
    with pytest.raises(QueryError, match="must be a JSON object"):
        fmt.mapping("[1]", "query")
    assert fmt.clamp(None, 200, 5000, "max_rows") == 200
    with pytest.raises(QueryError, match="out of range"):
        fmt.clamp(5001, 200, 5000, "max_rows")


def test_error_text() -> None:
    exc = UnknownNameError("metric", "mrrr", ["mrr", "arr"])
    text = fmt.error_text(exc)
    assert text.startswith("error (unknown_name): unknown metric 'mrrr'. Did you mean 'mrr'")
    assert text.splitlines()[-1].startswith('{"error": "unknown_name"')
