"""A value said as the plural noun for who did something: "how many times did prospects interact with us",
"touchpoints for smb prospects", "revenue from enterprises".

The value ("prospect", a lifecycle stage of the customer) stands where the party's noun would ("customers"),
as the doer of what the metric counts on another table (touchpoints, trial starts). Read as a filter it keeps
the customers in that stage *now*; the asker may mean the people of that kind at the time, or everyone the
metric counts (every touchpoint is with a prospect). The filter is kept, but the reading is a guess: it is
capped at ``PARTY_NOUN_CAP`` with a note saying what was assumed.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase

PARTY_NOUN_CAP = 0.75
"""The most a reading may claim when a value said as the party's plural noun filters another table's metric."""


class _PartyNounReading(_ReadingBase):
    """The pass capping a reading whose filter is a value said as the party's plural noun."""

    def party_noun_value(self) -> None:
        """Cap the confidence when a one-word plural value, with no noun for the party after it, filters a
        metric measured on another table than the value's own (see the module).
        """
        res = self.res
        if not res.answerable or not res.metrics:
            return
        model = self.r.model
        for s in res.spans.get("filters", []):
            at = [t.index for t in self.tokens if s.start <= t.start < s.end]
            if len(at) != 1 or "=" not in s.target or s.how not in ("", None):
                continue
            k = at[0]
            t = self.tokens[k]
            if t.norm == self.stems[k] or not t.norm.endswith("s") or any(c.isupper() for c in t.text):
                continue  # ("churned customers", "EMEA", "the SMBs": a qualifier, a name or a code, no noun)
            if (
                k + 1 < len(self.tokens)
                and self.stems[k + 1] in self.r.entities.nouns | self.r.texts.entity_words
            ):
                continue  # ("prospect accounts": the party named after it)
            info = self.lex.dims.get(s.target.split("=", 1)[0])
            if info is None or any(info.model in model.source_models(m) for m in res.metrics):
                continue
            if res.confidence > PARTY_NOUN_CAP:
                res.confidence = PARTY_NOUN_CAP
                value = s.target.split("=", 1)[1]
                res.notes.append(f"read '{t.text}' as those whose {info.label} is {value} (assumed)")
            return
