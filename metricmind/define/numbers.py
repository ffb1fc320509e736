"""A number the definition or a rule compares with ("users active on at least 5 different days", "30+ days
past due", "more than 50 seats") that nothing the proposed metric computes reads: an unread item, so a
metric that ignores the comparison (every active user) is never written as if it answered.

The check is on what the metric runs, not on how the words were read: the number must appear in the
proposal's SQL (a filter's value, a new model's threshold, a bucket named ``dpd_30_59``).
"""

from __future__ import annotations

import re

from metricmind.define.distinctper import COMPARED_WORDS
from metricmind.define.proposal import Proposal, RuleReading

#: A comparison with a number: "at least 5", "more than $1,000", "30+", "10 or more".
COMPARED = re.compile(
    r"\b(?:more than|over|above|greater than|at least|at most|no more than|no fewer than|fewer than|"
    r"less than|under|below|exceeding)\s+\$?(?P<n>\d[\d,]*(?:\.\d+)?)\b|"
    r"\b(?P<m>\d[\d,]*(?:\.\d+)?)\s*(?:\+|or more\b|or fewer\b|or less\b|or above\b|or over\b)",
    re.IGNORECASE,
)
#: The confidence of a proposal with a comparison it does not read.
UNREAD_NUMBER = 0.3


#: A comparison with a number said in words ("at least three", "five or more"; never "at least one").
WORDED = re.compile(
    r"\b(?:more than|greater than|at least|at most|no more than|no fewer than|fewer than|less than)\s+"
    rf"(?P<n>{'|'.join(COMPARED_WORDS)})\b|\b(?P<m>{'|'.join(COMPARED_WORDS)})\s+(?:or more|or fewer|or less)\b",
    re.IGNORECASE,
)


def compared_numbers(text: str) -> list[str]:
    """The numbers ``text`` compares with, as written without thousands separators (a number said in
    words as its digits).
    """
    said = [(m.group("n") or m.group("m")).replace(",", "") for m in COMPARED.finditer(text)]
    worded = [str(COMPARED_WORDS[(m.group("n") or m.group("m")).lower()]) for m in WORDED.finditer(text)]
    return said + worded


def _in_sql(number: str, sql: str) -> bool:
    whole = number.split(".")[0] if re.fullmatch(r"\d+\.0+", number) else number
    return re.search(rf"(?<![\d.]){re.escape(whole)}(?:\.0+)?(?![\d])", sql) is not None


def flag_unread_numbers(proposal: Proposal) -> None:
    """Add an unread item for each text (the definition, a rule) comparing with a number that the
    proposal's SQL never says; its confidence drops to ``UNREAD_NUMBER``.
    """
    if proposal.metric is None or proposal.refused or not proposal.preview_sql:
        return
    sql = proposal.preview_sql
    d = proposal.definition
    for label, text in [("(in the definition) ", d.text), *(("", r) for r in d.rules)]:
        missing = [n for n in compared_numbers(text) if not _in_sql(n, sql)]
        if not missing:
            continue
        proposal.rules.append(
            RuleReading(
                f"{label}{text}",
                "unread",
                0.0,
                f"compares with {', '.join(missing)}, which the proposed metric never reads: it would "
                "count every row, not those past the comparison",
            )
        )
        proposal.confidence = min(proposal.confidence, UNREAD_NUMBER)
        proposal.doubts.append(f"{text!r} compares with {', '.join(missing)}, which the metric does not read")
