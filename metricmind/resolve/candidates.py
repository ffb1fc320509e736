"""The catalog phrases of a question: every candidate span the lexicon knows, and the non-overlapping ones
picked, longest first, of the kind the context prefers (``_CandidateReading.pick``).
"""

from __future__ import annotations

from functools import cached_property

from metricmind.resolve.describe import key as word_key
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.picking import MOVE_VERBS, _PickReading
from metricmind.resolve.reading import _Pick
from metricmind.resolve.sqlclauses import sort_verb

PERIOD_FORMS = {
    "yearly": ("annual", "annualized"),
    "annually": ("annual", "yearly"),
    "annualised": ("annualized", "annual"),
    "annualized": ("annual",),
    "annual": ("yearly", "annualized"),
    "monthly": ("month",),
    "quarterly": ("quarter",),
}
"""Words of one period said in several forms (closed-class English, not any catalog's words)."""


class _CandidateReading(_PickReading):
    """Candidate phrases and the pick among them."""

    def candidates(self) -> list[_Pick]:
        out: list[_Pick] = []
        n = len(self.tokens)
        for i in range(n):
            for size in range(1, min(self.lex.max_len, n - i) + 1):
                entries = self.lex.lookup(tuple(self.stems[i : i + size]))
                if not entries:
                    entries = self.period_form(i, size)  # "yearly run rate": the catalog's "annual run rate"
                    if entries:
                        self.period_forms.add((i, i + size))
                if not entries:
                    continue
                if size > 1 and self.broken(i, i + size):
                    break  # ("which tier is bigger on mrr: growth or pro": no phrase runs over a colon)
                if size > 1 and all(e.kind == "metric" for e in entries) and self.comma_in(i, i + size):
                    continue  # "refunds, orders and refund rate": two items, not "refunded orders"
                text = " ".join(t.text for t in self.tokens[i : i + size])
                entries = [e for e in entries if e.exact_case is None or self.case_ok(e.exact_case, i, text)]
                if entries:
                    fuzzy = any(k in self.fuzzy for k in range(i, i + size))
                    out.append(_Pick(i, i + size, entries, "", fuzzy))
        return out

    @cached_property
    def period_forms(self) -> set[tuple[int, int]]:
        """Candidates read with a word of period said another way (``period_form``): no grain before a metric."""
        return set()

    def period_form(self, i: int, size: int) -> list[Entry]:
        """The entries of the words ``i``..``i + size`` with a word of period said another way ("yearly" for
        the catalog's "annual", "annualised" for "annual"): one meaning, several forms.
        """
        words = self.stems[i : i + size]
        at = [k for k, w in enumerate(words) if w in PERIOD_FORMS]
        if len(at) != 1 or size < 2:
            return []
        for other in PERIOD_FORMS[words[at[0]]]:
            found = self.lex.lookup(tuple(other if k == at[0] else w for k, w in enumerate(words)))
            if found:
                return found
        return []

    def after_qualifier(self, i: int) -> bool:
        """Whether the word at ``i`` follows a restricting word ("from", "among"), past articles."""
        j = self.prev_word(i)
        return j >= 0 and self.tokens[j].norm in ("from", "among", "amongst")

    def hyphen_modifier(self, c: _Pick) -> bool:
        """Whether ``c`` is joined by a hyphen to a preposition before it ("in-app", "on-site", "per-seat"):
        a compound adjective of the noun after it, never a breakdown.
        """
        if c.first < 1:
            return False
        prev = self.tokens[c.first - 1]
        joined = self.res.question[prev.end : self.tokens[c.first].start] == "-"
        return joined and prev.norm in ("in", "on", "at", "off", "per", "cross", "multi", "non")

    def broken(self, first: int, last: int) -> bool:
        """Whether a colon, semicolon, question or exclamation mark stands between the words
        ``first``..``last``: a phrase of the catalog never runs over the end of a clause.
        """
        q, toks = self.res.question, self.tokens
        return any(c in q[toks[k].end : toks[k + 1].start] for k in range(first, last - 1) for c in ":;?!")

    def comma_in(self, first: int, last: int) -> bool:
        """Whether a comma stands between the words ``first``..``last`` (a list of metrics, not one's name)."""
        q, toks = self.res.question, self.tokens
        return any("," in q[toks[k].end : toks[k + 1].start] for k in range(first, last - 1))

    def pick(self, cands: list[_Pick]) -> list[_Pick]:
        """Choose non-overlapping phrases, longest first, the kind preferred by the context."""
        chosen: list[_Pick] = []
        ranked: list[tuple[tuple[int, int, int, int], _Pick]] = []
        # candidates by where they start and end: the context checks look only at neighbours, so a
        # long question costs linear time, not one scan of every candidate per candidate
        self.by_first, self.by_last, self.by_dim = {}, {}, {}
        for c in cands:
            self.by_first.setdefault(c.first, []).append(c)
            self.by_last.setdefault(c.last, []).append(c)
            for d in {e.target for e in c.entries if e.kind == "dimension"}:
                self.by_dim.setdefault(d, []).append(c)
        for c in cands:
            if any(self.used[c.first : c.last]):
                continue
            if (c.first, c.last) not in self.period_forms and self.grain_then_metric(c):
                continue
            if c.first > 0 and self.moved_to(c.first - 1) and any(e.kind == "dimension" for e in c.entries):
                self.claim(c.first, c.last)  # "move to a cheaper plan": the plan changed, no breakdown
                if not any(
                    word_key(self.tokens[c.first - 1].norm) in w for w in self.r.texts.weights.values()
                ):
                    self.used[c.first - 1] = True  # ("higher" no description says is read with it)
                for k in range(max(0, c.first - 5), c.first - 1):
                    if self.tokens[k].norm in MOVE_VERBS or self.tokens[k].norm in ("to", "into", "onto"):
                        self.used[k] = True  # (the verb of moving is read with it)
                continue
            if self.hyphen_modifier(c) and any(e.kind == "dimension" for e in c.entries):
                self.claim(
                    c.first - 1, c.last
                )  # "in-app actions", "on-site events": a modifier, no breakdown
                continue
            group = self.in_group_context(c.first) and not self.ranks_by(c.first)
            for kind in ("metric", "dimension", "value"):
                entries = [e for e in c.entries if e.kind == kind]
                if kind == "value":
                    entries = [e for e in entries if self.value_allowed(c, e)]
                if not entries:
                    continue
                order = (
                    {"dimension": 0, "value": 1, "metric": 2}
                    if group
                    else {"metric": 0, "value": 1, "dimension": 2}
                )
                if kind == "metric" and self.negated_value(c):
                    continue  # "orders excluding refunded": the value left out, never refunded orders
                if kind == "metric" and sort_verb(self.tokens, c.first, c.last):
                    continue  # "order by gmv desc": SQL's ORDER BY, never the orders metric (``sqlclauses``)
                if kind == "value" and (
                    any(self.anchored(c, e) or self.named_dim_after(c, e) for e in entries)
                    or self.after_cue(c.first)
                    or self.negated_value(c)
                    or self.flag_asked(c, entries)
                ):
                    order["value"] = -1  # "overdue invoices", "acquired via events": a value, not a metric
                best = min(e.rank for e in entries)
                if kind == "dimension" and best >= 5 and not group and not self.ranked_key(c, entries):
                    continue  # a bare head noun ("type") is a dimension only after "by"
                if kind == "dimension" and not group and self.bare_entity(c, entries):
                    continue  # "how many accounts", "MRR from accounts in the US": who, not a breakdown
                if kind == "dimension" and c.fuzzy and not group and self.after_qualifier(c.first):
                    continue  # "mrr from startups": a word in a value's place is never a misspelt breakdown
                ranked.append(
                    (
                        (-(c.last - c.first), order[kind], best, c.first),
                        _Pick(c.first, c.last, entries, kind, c.fuzzy),
                    )
                )
        ranked.sort(key=lambda x: x[0])
        for _, p in ranked:
            if any(self.used[p.first : p.last]):
                continue
            self.claim(p.first, p.last)
            chosen.append(p)
        chosen.sort(key=lambda p: p.first)
        return chosen
