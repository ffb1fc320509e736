"""A dimension said after "from every" with a value of it left out: whose rows count, not a breakdown.

"events from every industry but software" counts the events of all industries save one, as "all industries but
software" does; "from every" there says how wide the filter reaches, not "one row per industry". "for every
segment apart from SMB" and "by region except EMEA" ask for the rows of those left, one each, and keep the
breakdown; so does a dimension also said after "by" ("for every feature except alerts by feature").
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase

FROM = frozenset({"from", "among", "amongst"})
"""Words that say whose rows are counted ("events from every industry but software")."""


class _EveryButReading(_ReadingBase):
    """The pass that drops a breakdown that "every X but Y" only widened."""

    def every_but(self) -> None:
        """Drop the breakdown by a dimension said after "every" that a value of it is left out of."""
        res = self.res
        left_out = {f.field for f in res.filters if f.op in ("!=", "not in") and f.metric is None}
        for span in list(res.spans.get("group_by", [])):
            if span.target not in left_out or span.start not in self.token_at:
                continue
            j = self.prev_word(self.token_at[span.start], frozenset({"the", "single"}))
            said = [x for x in res.spans.get("group_by", []) if x.target == span.target]
            if (
                j >= 1
                and self.tokens[j].norm == "every"
                and self.tokens[j - 1].norm in FROM
                and len(said) == 1
            ):
                res.group_by = [(n, g) for n, g in res.group_by if n != span.target]
                res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not span]

    def minus_of_one_noun(self) -> None:
        """A noun said on both sides of "minus" ("new ARR minus churned ARR") makes it arithmetic on two
        amounts of it. Read as a value left out ("churned" customers), it answered another question at 1.0;
        when no metric took the words after "minus", the question is refused (no metric is that difference).
        """
        res = self.res
        if not res.answerable or not any(f.op in ("!=", "not in") for f in res.filters):
            return
        for j, t in enumerate(self.tokens):
            if t.norm != "minus" or j < 1:
                continue
            before = set(self.stems[max(0, j - 3) : j])
            after = self.stems[j + 1 : j + 4]
            k = next((i for i, w in enumerate(after) if w in before), None)
            if k is None or k == 0:
                continue  # ("mrr minus smb": a value left out)
            said = self.text(max(0, j - 2), j + 2 + k).text
            res.refuse(
                f"'{said}' subtracts one amount from another; no metric of the catalog is that difference",
                [self.describe(m) for m in res.metrics],
            )
            return
