"""Values named by their rank (``config.meta.value_order``) on a dimension with many values."""

from __future__ import annotations

from metricmind.resolve.lexicon import _groups


def test_a_long_value_order_names_every_rank_in_digits_and_small_ranks_in_words() -> None:
    values = tuple(f"tier{i:02d}" for i in range(15))  # listed from low to high
    out = _groups({"value_order": {"low": ["cheapest"], "high": ["priciest"]}}, values)
    assert out["cheapest"] == ["tier00"]
    assert out["three cheapest"] == ["tier00", "tier01", "tier02"]
    assert out["14 priciest"] == list(values[1:])
    assert "eleven priciest" in out
    assert not any(key.startswith("twelve ") for key in out)
