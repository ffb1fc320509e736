"""A word read only as a metric's description word where it names a breakdown: "collections by payment method"
reads "payment" from the collected amount's description ("Payments received …"), yet after "by" the words are
a breakdown the catalog lacks, and the question is refused as one, not answered with "method" ignored.
"""

from __future__ import annotations

from metricmind.resolve.resolution import Resolution
from metricmind.resolve.text import Token


def described_only(res: Resolution, t: Token) -> bool:
    """Whether the word ``t`` was read only as a metric's description word (no other part reads it)."""
    spans = [s for ss in res.spans.values() for s in ss if s.start <= t.start < s.end]
    metrics = res.spans.get("metrics", [])
    return bool(spans) and all(s in metrics and s.how == "description" for s in spans)
