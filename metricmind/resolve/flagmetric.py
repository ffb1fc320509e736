"""A yes/no dimension's words read as a second metric beside the one asked: "collections for late payments"
(``late_payments`` counts the payments whose ``is_late`` is true), "gross revenue, refunded only" (``refunds``),
"avg stars for completed attempts" (``levels_completed``), "avg order value for gift orders".

And the flag's entity named beside its value ("where the purchase is refunded", "room types that were suites")
is whose value it is: no second metric counting that entity, no breakdown by its name.

When the words of one metric of several are a yes/no dimension's own words (its name less ``is_``/``has_``…, with
its entity's noun or not), said where a condition stands (after "for", "from", "among", "on", "of", a marking
verb, or before "only"), and every other metric reaches the dimension, they say which rows of the other metric
are meant: the flag's ``true`` (its ``false`` after "non", "not", "excluding", "without"). Read from the catalog's
names; the cue words are closed-class English.
"""

from __future__ import annotations

from metricmind.resolve.flagcues import MARK_VERBS, ONLY
from metricmind.resolve.reading import _ReadingBase
from metricmind.resolve.resolution import Filter, Span
from metricmind.resolve.text import stems
from metricmind.resolve.yesno import FLAG_PREFIXES
from metricmind.spec.names import SEP

CONDITION = frozenset({"for", "from", "among", "amongst", "on", "of", "with", "as"} | MARK_VERBS)
"""Words after which a flag's words say which rows are meant."""
DENIALS = frozenset(
    {"not", "never", "no", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "hasnt", "havent"}
)
"""Words that deny what follows them ("t" after "don"/"isn" too: the tokenizer splits "don't")."""
AUXILIARIES = frozenset(
    {"have", "has", "had", "do", "does", "did", "is", "are", "was", "were", "be", "been", "being"}
)
"""Verbs a denial reaches a yes/no value across ("do not have consent", "were not refunded")."""
NEAR = 4
"""The most words between a flag's value and its entity's noun ("payments that have since been late")."""
NEGATING = frozenset({"non", "not", "excluding", "except", "without", "un"})
"""Words before a flag's words that say its other side."""


class _FlagMetricReading(_ReadingBase):
    """The pass reading a flag's words, taken for a second metric, as the flag."""

    def flag_said_as_metric(self) -> None:
        """Turn a metric read from a yes/no dimension's words into that dimension's filter (see the module)."""
        res = self.res
        if len(res.metrics) < 2 or not res.answerable:
            return
        for s in list(res.spans.get("metrics", [])):
            first = self.token_at.get(s.start)
            if first is None or s.target not in res.metrics or len(res.metrics) < 2:
                continue
            last = first
            while last < len(self.tokens) and self.tokens[last].end <= s.end:
                last += 1
            rest = [m for m in res.metrics if m != s.target]
            flag = self.flag_of(set(self.stems[first:last]), rest)
            if flag is None or not self.conditioned(first, last):
                continue
            j = self.prev_word(first)
            value = "false" if j >= 0 and self.tokens[j].norm in NEGATING else "true"
            res.metrics = rest
            res.spans["metrics"] = [x for x in res.spans["metrics"] if x is not s]
            res.filters = [f for f in res.filters if f.field != flag]
            res.filters.append(Filter(flag, "=", (value,)))
            res.span("filters", Span(s.text, s.start, s.end, f"{flag}={value}", "flag's words"))
            res.notes.append(f"read '{s.text}' as {flag} = {value}, not the metric {s.target}")

    def flag_of(self, said: set[str], metrics: list[str]) -> str | None:
        """The one yes/no dimension every metric of ``metrics`` reaches whose words ``said`` holds (one beyond
        its entity's noun at least), and nothing else than them and its entity's noun.
        """
        found: list[str] = []
        for name in sorted(self.r.yes_no):
            entity, column = name.split(SEP, 1)
            words = column.split("_", 1)[1] if column.startswith(FLAG_PREFIXES) else column
            own = set(stems(words.replace("_", " ")))
            noun = set(stems(entity.replace("_", " ")))
            # a word of the flag beyond its entity's noun must be said: "number of orders" is no repeat order
            if not own or not (said & (own - noun)) or not said <= own | noun:
                continue
            if all(self.r.reachable(m, name) for m in metrics):
                found.append(name)
        return found[0] if len(found) == 1 else None

    def conditioned(self, first: int, last: int) -> bool:
        """Whether the words ``first``..``last`` stand where a condition does: after a condition word (or a
        negating one), or before "only".
        """
        j = self.prev_word(first)
        if j >= 0 and (self.tokens[j].norm in CONDITION or self.tokens[j].norm in NEGATING):
            return True
        return last < len(self.tokens) and self.tokens[last].norm in ONLY

    def flag_entity_noun(self) -> None:
        """Drop a metric or breakdown read from a yes/no filter's entity noun said within ``NEAR`` words of
        it, in the same clause ("iap net revenue where the purchase is refunded": no purchase count).
        """
        res = self.res
        if not res.answerable or not res.metrics:
            return
        flags = [s for s in res.spans.get("filters", []) if self.flag_like(s.target)]
        for f in flags:
            entity = f.target.split(SEP, 1)[0]
            noun = set(stems(entity.replace("_", " ")))
            for part in ("metrics", "group_by"):
                for s in list(res.spans.get(part, [])):
                    if not self.near(s, f) or set(stems(s.text)) != noun:
                        continue
                    if part == "metrics":
                        if len(res.metrics) < 2 or s.target not in res.metrics:
                            continue
                        res.metrics = [m for m in res.metrics if m != s.target]
                    else:
                        k = self.token_at.get(s.start)
                        if k is None or self.in_group_context(k) or s.target.split(SEP, 1)[0] != entity:
                            continue
                        res.group_by = [g for g in res.group_by if g[0] != s.target]
                    res.spans[part] = [x for x in res.spans[part] if x is not s]
                    res.notes.append(f"read '{s.text}' as whose {f.target.split('=', 1)[0]} it is")

    def near(self, a: Span, b: Span) -> bool:
        """Whether the spans are at most ``NEAR`` words apart with no clause break between them."""
        lo, hi = (a, b) if a.end <= b.start else (b, a)
        if lo.end > hi.start:
            return False
        gap = self.res.question[lo.end : hi.start]
        return len(gap.split()) <= NEAR and not any(c in gap for c in ",;:()")

    def flag_like(self, target: str) -> bool:
        """Whether a filter span's target is a yes/no value, or a value spelt as a yes/no dimension of its own
        entity ("enrollment_status = completed" beside ``is_completed``).
        """
        field, _, value = target.partition("=")
        field = field.rstrip("!")
        if field in self.r.yes_no:
            return True
        entity, said = field.split(SEP, 1)[0], set(stems(value.replace("_", " ")))
        return any(n.split(SEP, 1)[0] == entity and self.words_of(n) == said for n in self.r.yes_no)

    def words_of(self, flag: str) -> set[str]:
        """The stems of a yes/no dimension's words: its column less the flag prefix ("late" of ``is_late``)."""
        column = flag.split(SEP, 1)[1]
        words = column.split("_", 1)[1] if column.startswith(FLAG_PREFIXES) else column
        return set(stems(words.replace("_", " ")))

    def flag_over_value(self) -> None:
        """A value of one entity's dimension spelt as another entity's yes/no dimension, said beside that other
        entity's noun ("collections for payments that were late": the payment's ``is_late``, not the loan's
        status "late"): that flag, true (false where the value was left out). The noun is claimed with it.
        """
        res = self.res
        if not res.answerable or not res.metrics:
            return
        for s in list(res.spans.get("filters", [])):
            field, _, value = s.target.partition("=")
            negated = field.endswith("!")
            field = field.rstrip("!")
            if field in self.r.yes_no or not value or SEP not in field:
                continue
            said = set(stems(value.replace("_", " ")))
            for flag in sorted(self.r.yes_no):
                entity = flag.split(SEP, 1)[0]
                if entity == field.split(SEP, 1)[0] or self.words_of(flag) != said:
                    continue
                noun = self.noun_near(s, set(stems(entity.replace("_", " "))))
                if noun is None or not all(self.r.reachable(m, flag) for m in res.metrics):
                    continue
                at = [k for k, f in enumerate(res.filters) if f.field == field and value in f.values]
                if len(at) != 1 or len(res.filters[at[0]].values) != 1:
                    continue
                side = "false" if negated or res.filters[at[0]].op in ("!=", "not in") else "true"
                res.filters[at[0]] = Filter(flag, "=", (side,))
                res.spans["filters"] = [
                    Span(x.text, x.start, x.end, f"{flag}={side}", "flag's entity") if x is s else x
                    for x in res.spans["filters"]
                ]
                self.claim(noun, noun + 1)
                res.notes.append(f"read '{s.text}' beside '{self.tokens[noun].text}' as {flag} = {side}")
                break

    def noun_near(self, s: Span, noun: set[str]) -> int | None:
        """The position of a one-word entity noun within ``NEAR`` words of the span, in its clause."""
        for k, t in enumerate(self.tokens):
            if {self.stems[k]} == noun and self.near(Span(t.text, t.start, t.end, ""), s):
                return k
        return None

    def flag_denied(self) -> None:
        """A yes/no value read as true though a denial governs it across auxiliary verbs ("guests who do not
        have marketing consent", "purchases that weren't refunded", "never refunded"): false.
        """
        res = self.res
        for s in list(res.spans.get("filters", [])):
            field, _, value = s.target.partition("=")
            if field not in self.r.yes_no or value != "true":
                continue  # (a false read already took the denial in)
            first = self.token_at.get(s.start)
            if first is None or not self.denied_before(first):
                continue
            at = [
                k
                for k, f in enumerate(res.filters)
                if f.field == field and f.op == "=" and f.values == (value,)
            ]
            if len(at) != 1:
                continue
            side = "false"
            res.filters[at[0]] = Filter(field, "=", (side,))
            res.spans["filters"] = [
                Span(x.text, x.start, x.end, f"{field}={side}", x.how) if x is s else x
                for x in res.spans["filters"]
            ]
            res.notes.append(f"read '{s.text}' as denied: {field} = {side}")

    def denied_before(self, first: int) -> bool:
        """Whether a denial ("not", "never", "n't") stands before ``first`` across auxiliary verbs only."""
        k = first - 1
        while k >= 0 and first - k <= 4:
            w = self.tokens[k].norm
            if w in DENIALS or (w == "t" and k > 0 and self.tokens[k - 1].norm.endswith("n")):
                return True
            if w not in AUXILIARIES:
                return False
            k -= 1
        return False
