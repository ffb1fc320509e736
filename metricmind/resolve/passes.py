"""One question read: every pass in order (``_Reading.run``), and the catalog phrases picked."""

from __future__ import annotations

import datetime as dt

from metricmind.resolve.attribution import read_model, speaks_of_credit, wants_analysis
from metricmind.resolve.audit import _AuditReading
from metricmind.resolve.breakdownvalue import _BreakdownValueReading
from metricmind.resolve.candidates import _CandidateReading
from metricmind.resolve.costofone import _CostOfOneReading
from metricmind.resolve.countedentity import _CountedEntityReading
from metricmind.resolve.countedvalue import _CountedValueReading
from metricmind.resolve.cumulated import _CumulatedReading
from metricmind.resolve.datawords import data_words
from metricmind.resolve.definition import drop_definitions
from metricmind.resolve.describedflag import _DescribedFlagReading
from metricmind.resolve.durationasked import duration_asked
from metricmind.resolve.elidedhead import elided_items, token_ranges
from metricmind.resolve.entities import catalog_metrics
from metricmind.resolve.entitykinds import _EntityKindReading
from metricmind.resolve.eventtime import grain_of_other_event
from metricmind.resolve.everybut import _EveryButReading
from metricmind.resolve.flagcues import marking_verbs
from metricmind.resolve.flaglabel import flag_label_words
from metricmind.resolve.flagmetric import _FlagMetricReading
from metricmind.resolve.flagsides import _FlagSidesReading
from metricmind.resolve.formula import read_formula, said_formula
from metricmind.resolve.grainnamed import grain_named_with_metric
from metricmind.resolve.idioms import record_idioms
from metricmind.resolve.leftmetric import _LeftMetricReading
from metricmind.resolve.namedmember import _MemberReading
from metricmind.resolve.notime import not_time, to_date_metric
from metricmind.resolve.numbered import _NumberedReading
from metricmind.resolve.owntime import _OwnTimeReading
from metricmind.resolve.pairednoun import _PairedNounReading
from metricmind.resolve.partynoun import _PartyNounReading
from metricmind.resolve.perratio import _PerRatioReading
from metricmind.resolve.rangedorder import ranged_order
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Resolution, Span
from metricmind.resolve.samefield import join_same_field
from metricmind.resolve.shares import _ShareReading
from metricmind.resolve.sqlflags import _SqlFlagReading
from metricmind.resolve.sqlops import flipped, positional_group, positional_order
from metricmind.resolve.sqlvalues import _SqlValueReading
from metricmind.resolve.text import stems
from metricmind.resolve.thresholds import counted_amount
from metricmind.resolve.timephrases import find_time
from metricmind.resolve.timespans import unit_start
from metricmind.resolve.toldbymetric import own_denominator, unit_of
from metricmind.resolve.typos import _TypoReading
from metricmind.resolve.unitsaid import unit_said
from metricmind.resolve.valuemetric import _ValueMetricReading
from metricmind.resolve.wonlost import closed_stage
from metricmind.resolve.words import GRAIN_ADJ, GROWTH_WORDS
from metricmind.resolve.yesno import said_positively
from metricmind.spec.names import METRIC_TIME


class _Reading(
    _DescribedFlagReading,
    _FlagMetricReading,
    _OwnTimeReading,
    _BreakdownValueReading,
    _CountedValueReading,
    _CandidateReading,
    _CumulatedReading,
    _TypoReading,
    _CostOfOneReading,
    _ShareReading,
    _AuditReading,
    _CountedEntityReading,
    _PerRatioReading,
    _EntityKindReading,
    _EveryButReading,
    _MemberReading,
    _FlagSidesReading,
    _NumberedReading,
    _PartyNounReading,
    _ValueMetricReading,
    _LeftMetricReading,
    _SqlFlagReading,
    _SqlValueReading,
    _PairedNounReading,
):
    """All passes over one question."""

    # -- passes --------------------------------------------------------------------------------
    def run(self) -> Resolution:
        res = self.res
        if not self.tokens:
            return res.refuse("the question is empty", self.popular())
        self.correct_typos()
        self.read_particles()
        column = positional_order(self.tokens)
        if column is not None:
            self.claim(column[0] + 1, column[0] + 3)  # "order by 2 desc": the second column, no amount
        for k in positional_group(res.question, self.tokens):
            self.claim(k, k + 1)  # "group by 1": the first column selected, no amount nor value
        ranged = ranged_order(self.tokens)
        if ranged is not None:
            self.claim(ranged[0], ranged[1])  # "low to high": the rows' direction, never a value
        if self.tokens[0].norm == "select":
            self.claim(0, 1)  # SQL's "select": the list after it says what to show
        for k in range(1, len(self.tokens)):
            if self.tokens[k].norm == "distinct" and self.tokens[k - 1].norm in ("count", "select"):
                self.claim(k, k + 1)  # "count(distinct player)": SQL's word, the count says it
        self.claim_sql_flags()  # "where is_on_time = false": a yes/no column compared in SQL
        self.claim_sql_values()  # "where channel in ('chat', 'social')": each item a value of the column
        for first, last in record_idioms(self.tokens):
            self.claim(first, last)  # "customers on the books": kept, no bookings
        for first, last in marking_verbs(self.tokens):
            self.claim(first, last)  # "accounts flagged as deleted": the verb says a yes/no value follows
        for k in closed_stage(self.tokens):
            self.claim(k, k + 1)  # "closed-won logos": a deal's stage, its verb says which (``wonlost``)
        for k in data_words(self.tokens, res.question, self.lex.vocabulary):
            self.claim(k, k + 1)  # "number of rows in the touches table": the data's shape, no concept
        for j in range(len(self.tokens)):
            if self.doubled_by(j):
                self.claim(j - 1, j + 2)  # ("side by side": an idiom, no word of the question's content)
        cands = self.candidates()
        amounts = {i for i in range(len(self.tokens)) if counted_amount(self.tokens, i, res.question)}
        # a metric's identifier of three words or more holding a time word ("funded amount mom growth") is the
        # metric, not a comparison read out of it
        named = {
            k
            for c in cands
            if c.last - c.first >= 3 and any(e.kind == "metric" and e.source == "name" for e in c.entries)
            for k in range(c.first, c.last)
        }
        named |= not_time(self.tokens, self.stems, cands, self.r.entities.nouns, self.lex.lookup)
        formula = said_formula(res.question, self.tokens, self.metric_named, self.r.model)  # "sum(mrr) * 12"
        if formula is not None:
            named |= set(range(formula.first, formula.last))
        dated = to_date_metric(self.tokens, cands) - named
        if dated and any(
            h.kind == "range" for h in find_time(self.tokens, res.as_of, amounts | named | dated)
        ):
            named |= (
                dated  # "mtd revenue by day for sept": the month-to-date metric, over the range said apart
            )
        hits = find_time(self.tokens, res.as_of, amounts | named)  # ("more than 2000 events": no year 2000)
        for h in hits:
            self.claim(h.first, h.last)
        self.read_entity_kinds(cands)  # "from big companies": a kind of customer, by meaning
        picks = self.pick(cands)
        by_verb = self.verb_of_threshold(picks)  # "borrowers who applied more than 5 times": applications
        metrics = by_verb or self.read_metrics(picks)
        metrics = read_formula(self, formula) if formula is not None else metrics  # (the derived metric)
        metrics = self.counted_value(cands, picks, metrics) or metrics  # "how many exports did people run"
        self.read_grain_and_order(hits)
        self.read_time(hits)
        if not res.answerable:
            return res
        if not metrics:
            metrics = self.implied_by_threshold()
        if not metrics:
            return self.no_metric()
        res.metrics = metrics
        self.elided_head()  # "return premium and net written": the net written premium
        self.grain_of_own_time()  # "free to paid % by signup month": metric_time by month, no signups metric
        self.read_qualified()
        self.read_their()
        self.read_composed()
        self.read_ratio()
        self.read_share()
        self.read_cost_of_one()  # "what did it cost us to win one customer": CAC, spend over the count
        self.read_cumulated()
        self.refuse_unknown_ratio()
        if not res.answerable:
            return res
        self.read_entity_count()
        self.read_counted_entity()
        if not self.attribution_talk() and not by_verb:
            res.metrics = self.amount_or_count(self.described(res.metrics))
        self.read_attribution()
        self.grain_inside_metric()
        grain_named_with_metric(res, self.r.model)  # "daily actives": DAU's own word, no breakdown by day
        self.grain_of_one_period()
        self.grain_of_rate()
        growth = (
            self.growth_of(metrics[0], res.comparison, self.compared_unit())
            if res.comparison and len(metrics) == 1
            else None
        )
        if growth is not None and not self.growth_said(growth, picks):
            growth = None  # "MRR change from last month": both values, unless the metric's own word is said
        if (
            growth is not None
        ):  # "pickup growth vs prior month": the catalog's growth metric of it, not both values
            res.notes.append(f"read {metrics[0]} against the period before as {growth}")
            metrics = res.metrics = [growth]
        if res.comparison and any(self.compares(m) for m in metrics):
            res.notes.append(f"{', '.join(metrics)} already compares periods; no extra comparison")
            res.comparison = None
            res.comparison_range = None
        self.read_paid()
        self.read_dimensions(picks)
        self.per_own_unit()  # "avg stars per lvl won": the metric's own "per win", no breakdown by level
        self.counted_noun()  # "how many levels did ppl beat": the levels beaten, no breakdown by level
        self.drop_entity_verb()
        self.read_origin()
        self.read_filters(picks)
        self.settle_kinds()
        self.yes_no_sides()
        self.flag_sides()  # "organic vs paid installs": both sides of a yes/no said in its own words
        flag_label_words(
            res, self.lex
        )  # "company seat enrollments": the flag "Via company seat", no breakdown
        self.numbered_values()  # "win rate on level 1 vs level 2": numbers that are a dimension's values
        self.value_metric()  # "how many parcels got delivered": delivered parcels, said apart
        self.filtered_entity_as_metric()
        self.filtered_metric_as_filter()
        self.flag_said_as_metric()  # "collections for late payments": the flag, not the late-payments metric
        self.read_loose_values()
        self.read_left_values()
        self.member_named()
        self.entity_beside_attribute()
        self.flag_over_value()  # "payments that were late": the payment's flag, not the loan's status "late"
        self.flag_entity_noun()  # "where the purchase is refunded": whose flag, no purchase count
        self.flag_denied()  # "guests who do not have marketing consent": the flag's other side
        self.read_threshold()
        self.read_sql_flags()
        self.read_sql_values()
        unit_said(res, self.r.model)  # "total revenue in EUR" of a metric reported in EUR: no filter
        self.paired_noun()  # "german vs dutch sellers": both values the sellers' countries
        self.res.filters = join_same_field(self.res.filters)
        catalog_metrics(self.r.model, self.res)
        self.finish_order()
        self.read_ranked_tiers()
        self.read_middle_tiers()
        self.read_and_up()  # "pro and up": the value and those above it in its declared order
        self.every_but()
        self.minus_of_one_noun()
        if grain_of_other_event(
            res, self.tokens, self.used, self.r.entities.nouns | self.r.texts.entity_words
        ):
            return res  # "arr by the year the company was founded": a time the catalog lacks
        self.metric_word_left()  # "retention for customers who came in via X": a shared metric word, asked back
        drop_definitions(
            res, self.r.model
        )  # "avg invoice amount (total billed / number of invoices)": its inputs
        self.unit_said()  # "total revenue in EUR": the unit the label gives, no currency filter
        res.filters, excluded = flipped(res.question, res.filters, res.spans.get("filters", []))
        res.notes.extend(f"read '!=' before {f}'s value as excluding it" for f in excluded)
        res.filters = said_positively(res.filters, self.r.yes_no)  # "non-x": x false
        self.value_then_unknown()  # "bookings by card brand": a breakdown the catalog lacks, not card payments
        self.read_described_flag()  # "from company seat learners": the yes/no dimension its description says
        self.check_leftovers(picks)
        duration_asked(res, self.tokens, self.r.model)  # "avg days to close a claim": no amount in USD
        self.party_noun_value()  # "how many times did prospects interact": who did it, a guess
        self.note_corrections()
        self.calibrate()
        self.audit_values()
        return res

    def elided_head(self) -> None:
        """A list item said without the head noun of the item before it (``elidedhead``)."""
        res = self.res
        read = token_ranges(res.spans.get("metrics", []), self.token_at, self.tokens)
        found = elided_items(
            self.tokens, self.stems, self.used, res.question, read, self.r.phrase_sets, res.metrics
        )
        for first, last, name in found:
            self.claim(first, last)
            self.span("metrics", first, last, name, "elided head")
            res.metrics = [*res.metrics, name]
            res.confidence -= 0.1
            res.notes.append(
                f"read '{self.text(first, last).text}' with the head noun said before it as {name}"
            )

    def unit_said(self) -> None:
        """A value said after "in" that the one metric's label gives as its unit ("Total Revenue (EUR)": "in
        EUR") is how the number is expressed, not a filter (``toldbymetric.unit_of``).
        """
        res = self.res
        if len(res.metrics) != 1:
            return
        label = self.r.model.metrics[res.metrics[0]].label or ""
        for s in list(res.spans.get("filters", [])):
            f = next((f for f in res.filters if f"{f.field}={','.join(f.values)}" == s.target), None)
            first = next((t.index for t in self.tokens if t.start == s.start), None)
            if f is None or first is None or first == 0 or self.tokens[first - 1].norm != "in":
                continue
            if f.op == "=" and len(f.values) == 1 and unit_of(label, f.values[0]):
                res.filters = [x for x in res.filters if x is not f]
                res.spans["filters"] = [x for x in res.spans["filters"] if x is not s]
                res.notes.append(f"read 'in {s.text}' as the unit of {res.metrics[0]}, not a filter")

    def per_own_unit(self) -> None:
        """A breakdown said after "per" with a word right after it that the one metric's label says after
        its own "per" (``toldbymetric.own_denominator``): the metric's unit, the breakdown dropped.
        """
        res = self.res
        if len(res.metrics) != 1:
            return
        label = self.r.model.metrics[res.metrics[0]].label or ""
        for g in list(res.spans.get("group_by", [])):
            first = next((t.index for t in self.tokens if t.start == g.start), None)
            last = next((t.index + 1 for t in self.tokens if t.end == g.end), None)
            if first is None or last is None or first == 0 or self.tokens[first - 1].norm != "per":
                continue
            if not own_denominator(label, [t.norm for t in self.tokens[last : last + 1]]):
                continue
            res.group_by = [(n, grain) for n, grain in res.group_by if n != g.target]
            res.spans["group_by"] = [s for s in res.spans["group_by"] if s is not g]
            self.claim(first - 1, last + 1)
            self.span("metrics", first - 1, last + 1, res.metrics[0], "own unit")

    def metric_named(self, first: int, last: int) -> str | None:
        """The one metric the words ``first``..``last`` name (by name, label or synonym), if one does."""
        found = {e.target for e in self.lex.lookup(tuple(self.stems[first:last])) if e.kind == "metric"}
        return next(iter(found)) if len(found) == 1 else None

    def growth_said(self, metric: str, picks: list[_Pick]) -> bool:
        """Whether a word of growth the question says is one of ``metric``'s name, label or synonyms
        ("pickup growth" for "Pickup Growth vs Prior Month"; "change" is not, for "MRR growth MoM"), and is
        not read as a value ("growth plan mrr": the Growth plan, no growth metric).
        """
        m = self.r.model.metrics[metric]
        own = {w for t in (metric.replace("_", " "), m.label or "", *m.synonyms) for w in stems(t)}
        values = {k for p in picks if p.kind == "value" for k in range(p.first, p.last)}
        return any(t.norm in GROWTH_WORDS and t.stem in own and t.index not in values for t in self.tokens)

    def grain_inside_metric(self) -> None:
        """A grain word between the words of the one metric read ("average monthly revenue per account":
        ARPA) is part of how the metric is said, not a breakdown by month ("monthly revenue" still is one).
        """
        res = self.res
        spans = res.spans.get("metrics", [])
        grains = [
            g for g in res.spans.get("group_by", []) if g.how == "grain" and g.text.lower() in GRAIN_ADJ
        ]
        if len(res.metrics) != 1 or not grains or not spans:
            return
        g = grains[0]
        if not (min(s.start for s in spans) < g.start and max(s.end for s in spans) > g.end):
            return
        res.group_by = [(n, grain) for n, grain in res.group_by if n != METRIC_TIME]
        res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not g]
        res.spans["metrics"] = [*spans, Span(g.text, g.start, g.end, res.metrics[0], "inside metric")]

    def grain_of_one_period(self) -> None:
        """A grain adjective over a range of one such period ("daily actives yesterday", "monthly revenue for
        May"): one row either way, so the adjective says how the metric is named or kept, not a breakdown.
        """
        res = self.res
        rng = res.time_range
        grains = [
            g for g in res.spans.get("group_by", []) if g.how == "grain" and g.text.lower() in GRAIN_ADJ
        ]
        if rng is None or len(grains) != 1:
            return
        unit = next((grain for n, grain in res.group_by if n == METRIC_TIME), None)
        if unit is None or unit_start(rng[1] - dt.timedelta(days=1), unit) > rng[0]:
            return
        res.group_by = [(n, grain) for n, grain in res.group_by if n != METRIC_TIME]
        res.spans["group_by"] = [x for x in res.spans["group_by"] if x is not grains[0]]

    def attribution_talk(self) -> bool:
        """Whether the question speaks of credit or attribution models (read by the attribution passes)."""
        where = read_model(self.tokens, self.r.attributions)[1]
        return speaks_of_credit(self.tokens) or where is not None or wants_analysis(self.tokens, where)
