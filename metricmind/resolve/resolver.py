"""Question → metric query, offline and deterministic.

The resolver reads a question in passes, each claiming the words it explains:

1. time phrases (ranges, comparisons, references to the future): ``YTD revenue`` is invoice
   revenue over this year to date, not a second metric;
2. catalog phrases, longest first: metrics, dimensions, dimension values (``Europe`` → region EMEA);
   after ``by``/``per``/``each``/``which``/``top N`` a dimension wins over a metric of the same words;
3. grain words (``monthly``, ``by quarter``), ranking words (``top 5``, ``which … the most``),
   negations (``excluding SMB``) and growth words (``how did … change`` → previous period).

Every dimension and filter is checked against every metric's join graph. Words it cannot explain
make it refuse (``answerable: false``) with the reason and the nearest things it can answer.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cached_property
from typing import Any

from metricmind.errors import MetricmindError, QuestionTooLongError
from metricmind.resolve.analysisrequest import read_analysis
from metricmind.resolve.attribution import (
    CREDIT_WORDS,
    DEFAULT_MODEL,
    Attribution,
    attribution_metrics,
    read_model,
    speaks_of_credit,
    wants_analysis,
)
from metricmind.resolve.exclusion import EXCLUSION_WORDS, continues_list, exclusion_cue
from metricmind.resolve.lexicon import COMMON_WORDS, Entry, build_lexicon, read_learned
from metricmind.resolve.loosevalues import DEMONYMS, demonym, prefixed
from metricmind.resolve.metricwords import _MetricReading
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Filter, Resolution, Span
from metricmind.resolve.text import FILLERS, distance, number, root, stems, typo_limit
from metricmind.resolve.thresholds import find_threshold, verbish
from metricmind.resolve.timephrases import UNITS, TimeHit, comparison_range, find_time, shift, unit_start
from metricmind.resolve.words import (
    ASC_WORDS,
    AUX,
    CONTRAST,
    DESC_WORDS,
    GRAIN_ADJ,
    GRAMMAR,
    GROUP_WORDS,
    GROWTH_WORDS,
    SORT_WORDS,
    TREND_WORDS,
)
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME, split

EVERYDAY_SHORT = frozenset(
    {"de", "na", "us", "it", "or", "in", "on", "at", "as", "am", "is", "to", "no", "me", "id"}
)
"""Short words that are also everyday words: as aliases they count only as typed (upper case)."""
IGNORED_WORD_PENALTY = 0.25
"""Confidence lost per word left unexplained: one such word keeps the answer but below 0.8 (on the
blind-written dev split most answers that ignored a word were wrong); three make it a refusal.
"""
VS_WORDS = ("vs", "versus", "against")
"""Words that set two values against each other ("Starter vs Pro")."""
UNSURE_PENALTY = 0.25
"""Confidence lost for a reading the calibration found often wrong (see ``_Reading.calibrate``)."""
THRESHOLD_ENTITIES = frozenset({"customer", "account", "company", "logo"})
"""Nouns for the entity a threshold filters ("customers with over 5k MRR"): customers."""
WHICH_MORE = frozenset(
    {"which", "where", "who", "more", "most", "less", "fewer", "bigger", "better", "higher"}
)
"""With "or" between two values of one dimension, these make it a comparison ("iOS or Android: where …")."""

MAX_QUESTION_CHARS = 2000
"""The longest question the resolver reads; a longer one is a ``QuestionTooLongError``."""


class Resolver:
    """Resolves questions against one semantic model (plus phrases learned for its project)."""

    def __init__(
        self,
        model: Model,
        learned: dict[str, dict[str, str]] | None = None,
        values: dict[str, list[str]] | None = None,
    ) -> None:
        self.model = model
        self.graph = JoinGraph(model)
        self.lex = build_lexicon(model, learned, values)
        self._reach: dict[tuple[str, str], bool] = {}
        self._typos: dict[str, str | None] = {}

    @classmethod
    def for_project(
        cls, model: Model, root: str | os.PathLike[str], values: dict[str, list[str]] | None = None
    ) -> Resolver:
        """The resolver of the project at ``root`` (its learned synonyms included); ``values`` are the
        distinct values of dimensions that declare none (``Project.dimension_values()``).
        """
        return cls(model, read_learned(root), values)

    # -- model facts ---------------------------------------------------------------------------
    def sources(self, metric: str) -> set[str]:
        """The semantic models a metric reads."""
        return self.model.source_models(metric)

    def reachable(self, metric: str, dim: str) -> bool:
        """Whether ``metric`` can be grouped or filtered by ``dim``."""
        key = (metric, dim)
        if key not in self._reach:
            sources = self.sources(metric)
            ok = bool(sources)
            for sm in sorted(sources):
                try:
                    target = self.graph.resolve(sm, split(dim))
                except (MetricmindError, ValueError):
                    ok = False
                    break
                if target.path.fanout:  # one-to-many: each row would count under several values
                    ok = False
                    break
            self._reach[key] = ok
        return self._reach[key]

    @cached_property
    def phrase_sets(self) -> dict[tuple[str, ...], list[Entry]]:
        """Metric phrases of two or more words keyed by their sorted word roots (order-free lookup)."""
        out: dict[tuple[str, ...], list[Entry]] = {}
        for key, entries in self.lex.phrases.items():
            metric = [e for e in entries if e.kind == "metric"]
            if len(key) > 1 and metric:
                out.setdefault(tuple(sorted({root(w) for w in key})), []).extend(metric)
        return out

    @cached_property
    def attributions(self) -> list[Attribution]:
        """The catalog's attribution metrics (by their labels)."""

        def metric_of(words: tuple[str, ...]) -> str | None:
            return next((e.target for e in self.lex.lookup(words) if e.kind == "metric"), None)

        return attribution_metrics(self.model, metric_of)

    @cached_property
    def _words(self) -> list[str]:
        return sorted(self.lex.vocabulary | GRAMMAR)

    def correct(self, word: str) -> str | None:
        """The catalog word ``word`` is a typo of, if exactly one is close enough."""
        if word in self._typos:
            return self._typos[word]
        limit = typo_limit(word)
        best: list[tuple[int, str]] = []
        if limit and word.isalpha():
            for w in self._words:
                if w[0] != word[0] or len(w) < 4:
                    continue
                d = distance(word, w, limit)
                if d <= limit:
                    best.append((d, w))
        best.sort()
        found = best[0][1] if best and (len(best) == 1 or best[0][0] < best[1][0]) else None
        self._typos[word] = found
        return found

    # -- resolving -----------------------------------------------------------------------------
    def resolve(self, question: str, *, as_of: dt.date | None = None) -> Resolution:
        """Resolve ``question`` against ``as_of`` (default today).

        A question longer than ``MAX_QUESTION_CHARS`` is a ``QuestionTooLongError`` (reading stays
        linear in the question's length below that; the limit keeps answers to people, not documents).
        """
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLongError(len(question), MAX_QUESTION_CHARS)
        day = as_of or dt.date.today()
        reading = _Reading(self, question, day)
        res = reading.run()
        if reading.ambiguous is not None:
            res.clarify = self.clarify(reading, day)
        return read_analysis(question, res)

    def clarify(self, reading: _Reading, as_of: dt.date) -> dict[str, Any] | None:
        """The complete readings of a question whose word several metrics share ("retention"): the question
        read again with the word replaced by each metric's name; those that resolve become the choices.
        """
        assert reading.ambiguous is not None
        i, metrics = reading.ambiguous
        word = reading.tokens[i]
        q = reading.res.question
        choices: list[dict[str, Any]] = []
        for m in metrics:
            label = self.model.metrics[m].label or m
            rewritten = q[: word.start] + label + q[word.end :]
            alt = _Reading(self, rewritten, as_of).run()
            if alt.answerable and m in alt.metrics:
                choices.append(
                    {"label": label, "question": rewritten, "metrics": alt.metrics, "query": alt.query_dict()}
                )
        if len(choices) < 2:
            return None
        names = " or ".join(f"'{c['label']}'" for c in choices)
        return {"question": f"By '{word.text}', did you mean {names}?", "choices": choices}


class _Reading(_MetricReading):
    """All passes over one question."""

    threshold = False  # a threshold per entity was read ("customers with over 5k MRR")
    sort_only = False  # "biggest first": the ranking sorts without a limit

    # -- passes --------------------------------------------------------------------------------
    def run(self) -> Resolution:
        res = self.res
        if not self.tokens:
            return res.refuse("the question is empty", self.popular())
        self.correct_typos()
        cands = self.candidates()
        hits = find_time(self.tokens, res.as_of)
        for h in hits:
            self.claim(h.first, h.last)
        picks = self.pick(cands)
        metrics = self.read_metrics(picks)
        self.read_grain_and_order(hits)
        self.read_time(hits)
        if not res.answerable:
            return res
        if not metrics:
            return self.no_metric()
        res.metrics = metrics
        self.read_qualified()
        self.read_attribution()
        if res.comparison and any(self.compares(m) for m in metrics):
            res.notes.append(f"{', '.join(metrics)} already compares periods; no extra comparison")
            res.comparison = None
            res.comparison_range = None
        self.read_dimensions(picks)
        self.read_origin()
        self.read_filters(picks)
        self.read_loose_values()
        self.read_threshold()
        self.finish_order()
        self.check_leftovers(picks)
        self.calibrate()
        return res

    def read_qualified(self) -> None:
        """Qualified revenue ("MRR from new logos", "recurring revenue from brand-new customers"): a metric qualified by the
        kind of customer it comes from is the metric of that kind (new MRR), when the catalog has it.
        """
        res = self.res
        spans = res.spans.get("metrics", [])
        for a in spans:
            for b in spans:
                if b.start <= a.end or a.target == b.target:
                    continue
                between = stems(res.question[a.end : b.start])
                words = self.span_stems(b)
                if (
                    "from" not in between
                    or len(between) > 4
                    or words[-1] not in THRESHOLD_ENTITIES | {"user"}
                ):
                    continue
                mods, own = words[:-1], self.span_stems(a)
                if mods and set(mods) <= set(own):
                    found = [a.target]  # "new MRR from brand new logos": the qualifier is said already
                else:
                    found = [e.target for e in self.lex.lookup((*mods, *own)) if e.kind == "metric"]
                if not mods or not found:
                    continue
                res.metrics = [found[0] if m == a.target else m for m in res.metrics if m != b.target]
                res.metrics = list(dict.fromkeys(res.metrics))
                res.spans["metrics"] = [x for x in spans if x is not b and x is not a]
                self.span_chars("metrics", a.start, b.end, found[0], "qualified")
                return

    def span_stems(self, s: Span) -> tuple[str, ...]:
        """The stems of the tokens (shorthand spelled out) within a span's characters."""
        return tuple(self.stems[t.index] for t in self.tokens if t.start >= s.start and t.end <= s.end)

    def read_attribution(self) -> None:
        """Attribution phrasing ("new MRR attributed to email", "under last touch, which channel …"): the
        attribution metric of the model named (the default one, said in a note, when none is).
        """
        res, found = self.res, self.r.attributions
        if not found or any(m in {a.metric for a in found} for m in res.metrics):
            return
        chosen, where = read_model(self.tokens, found)
        if wants_analysis(self.tokens, where):
            return  # "new MRR under last touch", "Markov credit": an attribution analysis (read_analysis)
        base = next((m for m in res.metrics if m in {a.base for a in found}), None)
        if base is None or (chosen is None and not speaks_of_credit(self.tokens)):
            return
        if chosen is None:
            chosen = next((a for a in found if a.base == base and a.model == DEFAULT_MODEL), None)
            if chosen is None:
                return
            res.notes.append(
                f"no attribution model named: {' '.join(chosen.model)} assumed ({chosen.metric})"
            )
        else:
            assert where is not None
            if where[1] < len(self.tokens) and self.tokens[where[1]].norm in (
                "model",
                "attribution",
                "basis",
            ):
                where = (where[0], where[1] + 1)  # "linear model", "first touch attribution"
            self.claim(*where)
        credit = [
            s.target for s in res.spans.get("metrics", []) if set(s.text.lower().split()) <= CREDIT_WORDS
        ]
        res.metrics = [chosen.metric if m == base else m for m in res.metrics if m not in credit]
        for i, t in enumerate(self.tokens):
            if t.norm in CREDIT_WORDS:
                self.claim(i, i + 1)
        if where is not None:
            self.span("metrics", *where, chosen.metric, "attribution model")

    def calibrate(self) -> None:
        """Lower the confidence for readings that, on the blind-written dev split, were often wrong: a
        metric read from a shortened phrase ("churn" → churn rate), several metrics when one of them
        came from a synonym or modifier, a ranking with nothing to rank.
        """
        res = self.res
        if not res.answerable:
            return
        spans = res.spans.get("metrics", [])
        loose = [s for s in spans if s.how in ("synonym", "modifier", "reduced")]
        if len(res.metrics) > 1 and loose:
            res.confidence -= UNSURE_PENALTY
            res.notes.append(f"read several metrics, '{loose[0].text}' loosely as {loose[0].target}")
        elif any(s.how == "reduced" for s in spans):
            s = next(s for s in spans if s.how == "reduced")
            res.confidence -= UNSURE_PENALTY
            res.notes.append(f"read '{s.text}' as {s.target}, a shortened name")
        if res.order_by and not res.group_by:
            res.confidence -= UNSURE_PENALTY
            res.notes.append("a ranking without a breakdown: nothing to rank")

    def correct_typos(self) -> None:
        for t in self.tokens:
            s = t.stem
            if (
                s in self.lex.vocabulary
                or s in FILLERS
                or s in GRAMMAR
                or number(s) is not None
                or not s.isalpha()
            ):
                continue
            fixed = self.r.correct(s)
            if fixed is not None:
                self.stems[t.index] = fixed
                self.fuzzy.add(t.index)

    def candidates(self) -> list[_Pick]:
        out: list[_Pick] = []
        n = len(self.tokens)
        for i in range(n):
            for size in range(1, min(self.lex.max_len, n - i) + 1):
                entries = self.lex.lookup(tuple(self.stems[i : i + size]))
                if not entries:
                    continue
                text = " ".join(t.text for t in self.tokens[i : i + size])
                entries = [e for e in entries if e.exact_case is None or self.case_ok(e.exact_case, i, text)]
                if entries:
                    fuzzy = any(k in self.fuzzy for k in range(i, i + size))
                    out.append(_Pick(i, i + size, entries, "", fuzzy))
        return out

    def case_ok(self, case: str, i: int, text: str) -> bool:
        """A short upper-case alias typed in lower case counts unless it is also an everyday word
        ("smb", "uk" do; "us" only as "the us"; "de", "na" never).
        """
        if case == text:
            return True
        low = text.lower()
        if low != case.lower():
            return False
        if low == "us":
            return i > 0 and self.tokens[i - 1].norm == "the"
        return low not in EVERYDAY_SHORT

    def pick(self, cands: list[_Pick]) -> list[_Pick]:
        """Choose non-overlapping phrases, longest first, the kind preferred by the context."""
        chosen: list[_Pick] = []
        ranked: list[tuple[tuple[int, int, int, int], _Pick]] = []
        # candidates by where they start and end: the context checks look only at neighbours, so a
        # long question costs linear time, not one scan of every candidate per candidate
        self.by_first, self.by_last = {}, {}
        for c in cands:
            self.by_first.setdefault(c.first, []).append(c)
            self.by_last.setdefault(c.last, []).append(c)
        for c in cands:
            if any(self.used[c.first : c.last]):
                continue
            if self.grain_then_metric(c):
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
                if kind == "value" and any(self.anchored(c, e) for e in entries):
                    order["value"] = -1  # "overdue invoices": the value of the entity that follows
                best = min(e.rank for e in entries)
                if kind == "dimension" and best >= 5 and not group:
                    continue  # a bare head noun ("type") is a dimension only after "by"
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

    def ranks_by(self, i: int) -> bool:
        """``biggest plan tier by customers``: after a ranking word, "by" names the metric to rank by."""
        j = self.prev_word(i)
        if j < 0 or self.tokens[j].norm != "by":
            return False
        return self.first_rank_word < j

    @cached_property
    def first_rank_word(self) -> int:
        """The position of the question's first ranking word (``top``, ``lowest``…), or its length."""
        ranking = DESC_WORDS | ASC_WORDS
        return next((i for i, t in enumerate(self.tokens) if t.norm in ranking), len(self.tokens))

    def grain_then_metric(self, c: _Pick) -> bool:
        """``weekly active users`` is active users by week when "active users" is another metric."""
        if c.last - c.first < 2 or self.tokens[c.first].norm not in GRAIN_ADJ:
            return False
        whole = {e.target for e in c.entries if e.kind == "metric"}
        rest = {
            e.target for e in self.lex.lookup(tuple(self.stems[c.first + 1 : c.last])) if e.kind == "metric"
        }
        return bool(whole and rest and not (whole & rest))

    def value_allowed(self, c: _Pick, e: Entry, *, siblings: bool = True) -> bool:
        """Whether a value phrase counts as a filter (everyday words only in context)."""
        words = self.stems[c.first : c.last]
        if len(words) > 1 and not all(w in COMMON_WORDS or w in FILLERS for w in words):
            return True
        if not (len(words) == 1 and (words[0] in COMMON_WORDS or words[0] in FILLERS)):
            return True
        if e.exact_case is not None or self.anchored(c, e):
            return True
        if exclusion_cue(self.tokens, c.first, [False] * len(self.tokens)) is not None:
            return True  # "excluding direct": a value after an exclusion cue
        before = " ".join(t.norm for t in self.tokens[max(0, c.first - 2) : c.first])
        if before.endswith(
            ("because of", "due to", "because", "via", "through", "attributed to", "credited to")
        ):
            return True
        dim = e.target.split("=", 1)[0]
        if self.next_to_dim(c.first, c.last, dim):
            return True
        # "the Growth and Pro plans": a sibling value of the same dimension, allowed in its own right
        near = [*self.by_first.get(c.last + 1, []), *self.by_last.get(c.first - 1, [])]
        # "Starter vs Pro": two values of one dimension set against each other are values, everyday or not
        return siblings and any(
            o is not c
            and (join := self.tokens[c.last if o.first > c.first else o.last].norm)
            in ("and", "or", *VS_WORDS)
            and any(
                x.kind == "value"
                and x.target.split("=", 1)[0] == dim
                and (join in VS_WORDS or self.value_allowed(o, x, siblings=False))
                for x in o.entries
            )
            for o in near
        )

    def anchored(self, c: _Pick, e: Entry) -> bool:
        """A value next to its own entity ("annual subscriptions", "invoices that were refunded")."""
        if e.kind != "value":
            return False
        entity = e.target.split("__", 1)[0]
        if c.last < len(self.tokens) and self.stems[c.last] == entity:
            return True
        j = c.first - 1
        while j >= 0 and self.tokens[j].norm in AUX and c.first - j <= 3:
            j -= 1
        return j >= 0 and j < c.first - 1 and self.stems[j] == entity

    def next_to_dim(self, first: int, last: int, dim: str) -> bool:
        """Whether a candidate naming ``dim`` is at most two filler words before or after the words."""
        skip = {"the", "is", "of", "equal", "equals", "to", "was", "a"}
        after = (c for k in range(last, last + 3) for c in self.by_first.get(k, []))
        before = (c for k in range(max(0, first - 2), first + 1) for c in self.by_last.get(k, []))
        for c in (*after, *before):
            if not any(e.kind == "dimension" and e.target == dim for e in c.entries):
                continue
            gap_after = [t.norm for t in self.tokens[last : c.first]]
            gap_before = [t.norm for t in self.tokens[c.last : first]]
            if (c.first >= last and all(w in skip for w in gap_after) and len(gap_after) <= 2) or (
                c.last <= first and all(w in skip for w in gap_before) and len(gap_before) <= 2
            ):
                return True
        return False

    # -- time, grain, order --------------------------------------------------------------------
    def read_time(self, hits: list[TimeHit]) -> None:
        res = self.res
        for h in hits:
            if h.kind == "future":
                self.span("time_range", h.first, h.last, "future")
                res.refuse(
                    f"'{self.text(h.first, h.last).text}' asks about the future; metricmind reports measured "
                    "values, it does not forecast",
                    [],
                )
                return
        ranges = [h for h in hits if h.kind == "range"]
        comps = [h for h in hits if h.kind == "comparison"]
        contrast = any(t.norm in ("compare", "compared", "comparing", "versus", "vs") for t in self.tokens)
        if len(ranges) == 2 and not comps and contrast:
            # "compare Q1 and Q2 2026": the later one answered, the earlier one compared with
            comps = [TimeHit(ranges[0].first, ranges[0].last, "comparison", ranges[0].start, ranges[0].end)]
            ranges = ranges[1:]
        if len(ranges) == 2 and ranges[0].end == ranges[1].start:
            a, b = ranges
            joined = " ".join(t.norm for t in self.tokens[a.last : b.first])
            if joined in ("and", "to", "through", "thru", "until", "till"):
                # "2025 and 2026": one range covering both
                ranges = [TimeHit(a.first, b.last, "range", a.start, b.end, a.unit)]
                self.claim(a.first, b.last)
        if len(ranges) > 1:
            named = " and ".join(f"'{self.text(h.first, h.last).text}'" for h in ranges)
            res.refuse(
                f"the question names two time ranges ({named})",
                [{"kind": "hint", "name": "ask for one range, or compare them with 'vs'", "label": ""}],
            )
            return
        if ranges:
            h = ranges[0]
            assert h.start is not None and h.end is not None
            res.time_range = (h.start, h.end)
            res.time_unit = h.unit
            self.span("time_range", h.first, h.last, f"{h.start.isoformat()}..{h.end.isoformat()}")
        if comps:
            c = comps[0]
            if c.start is not None and c.end is not None:
                other = (c.start, c.end)
                if res.time_range is not None and other[0] >= res.time_range[1]:
                    # "2024 vs 2025": the later period is the answer, the earlier one the comparison
                    other, res.time_range = res.time_range, other
                if res.time_range is None:
                    res.comparison = "previous_period"
                else:
                    res.comparison = self.kind_of(other)
                    unit = res.time_unit or ""
                    to_date = unit in UNITS and res.time_range[1] == res.as_of + dt.timedelta(days=1)
                    if (
                        to_date
                        and c.unit == unit
                        and other
                        == comparison_range(
                            unit_start(res.time_range[0], unit),
                            shift(unit_start(res.time_range[0], unit), unit, 1),
                            "previous_period",
                            unit,
                        )
                    ):
                        # "this year compared to last year": the same days of the previous one
                        other = comparison_range(*res.time_range, "previous_period", unit)
                        res.comparison = "same_period_last_year" if unit == "year" else "previous_period"
                res.comparison_range = other
            else:
                res.comparison = c.comparison
                if res.time_range is None and not res.uses_time and c.unit in UNITS:
                    if c.comparison == "same_period_last_year" or c.unit == "year":
                        unit = "year"
                    else:
                        unit = c.unit or "month"
                    res.time_range = (unit_start(res.as_of, unit), res.as_of + dt.timedelta(days=1))
                    res.time_unit = unit
            self.span("comparison", c.first, c.last, res.comparison or "")
            if res.time_range is None and res.comparison_range is not None:
                # "MRR vs last month": the current period to date against the one named
                unit = c.unit or "month"
                res.time_range = (unit_start(res.as_of, unit), res.as_of + dt.timedelta(days=1))
                res.time_unit = unit
                res.comparison_range = comparison_range(*res.time_range, "previous_period", unit)
                if c.unit == "year" and unit_start(res.as_of, "year") != unit_start(
                    c.start or res.as_of, "year"
                ):
                    res.comparison = "same_period_last_year"
        elif res.time_range is not None and not res.uses_time:
            growth = [i for i, t in enumerate(self.tokens) if not self.used[i] and t.stem in GROWTH_WORDS]
            if growth:
                res.comparison = "previous_period"
                self.claim(growth[0], growth[0] + 1)
                self.span("comparison", growth[0], growth[0] + 1, "previous_period", "growth word")

    def kind_of(self, named: tuple[dt.date, dt.date]) -> str:
        rng = self.res.time_range
        assert rng is not None
        if named == comparison_range(*rng, "same_period_last_year"):
            return "same_period_last_year"
        return "previous_period"

    def custom_grains(self) -> set[str]:
        """The time spine's custom granularities (``fiscal_quarter``)."""
        spine = self.r.model.time_spine
        return {name for name, _ in spine.custom_granularities} if spine else set()

    def read_grain_and_order(self, hits: list[TimeHit]) -> None:
        res = self.res
        toks = self.tokens
        grain: tuple[str, int] | None = None
        for i, t in enumerate(toks):
            if self.used[i]:
                continue
            w = t.norm
            unit = GRAIN_ADJ.get(w) or (t.stem if t.stem in UNITS else None)
            if unit is None:
                continue
            if w in GRAIN_ADJ:
                grain = grain or (unit, i)
                self.claim(i, i + 1)
                continue
            j = self.prev_word(i)
            before = toks[j].norm if j >= 0 else ""
            after = toks[i + 1].norm if i + 1 < len(toks) else ""
            custom = f"{before}_{unit}"
            if before and custom in self.custom_grains() and not self.used[j]:
                # "by fiscal quarter": a custom granularity of the time spine
                grain = grain or (custom, j)
                self.claim(j, i + 1)
                self.group_idx.append(i)
                continue
            if (
                before in GROUP_WORDS | DESC_WORDS | ASC_WORDS | {"a", "every"}
                or after == "by"
                or (number(before) is not None)
            ):
                grain = grain or (unit, i)
                self.claim(i, i + 1)
                self.group_idx.append(i)
                if after == "by" and i + 2 < len(toks) and toks[i + 2].stem == t.stem:
                    self.claim(i + 1, i + 3)
        trend = [i for i, t in enumerate(toks) if not self.used[i] and t.norm in TREND_WORDS]
        over_time = [
            i
            for i in range(len(toks) - 1)
            if toks[i].norm == "over" and toks[i + 1].norm == "time" and not self.used[i]
        ]
        if grain is None and (trend or over_time):
            k = (trend or over_time)[0]
            # "trend over the last 4 quarters": the range's own unit, months for years or no range
            units = [
                h.unit for h in hits if h.kind == "range" and h.unit in ("day", "week", "month", "quarter")
            ]
            grain = (units[0] if units else "month", k)
        for k in trend:
            self.claim(k, k + 1)
        for k in over_time:
            self.claim(k, k + 2)
        if grain is None:
            for h in hits:
                if (
                    h.kind == "comparison"
                    and h.start is None
                    and h.unit in UNITS
                    and all(x.kind != "range" or self.spans_several(x, h.unit or "") for x in hits)
                ):
                    grain = (h.unit or "month", h.first)
        if grain is not None:
            res.group_by.append((METRIC_TIME, grain[0]))
            self.span("group_by", grain[1], grain[1] + 1, f"{METRIC_TIME}__{grain[0]}", "grain")
        self.read_order()

    def spans_several(self, h: TimeHit, unit: str) -> bool:
        """Whether a range holds several ``unit``s ("month over month this year": by month)."""
        if h.start is None or h.end is None or unit not in UNITS:
            return False
        return shift(unit_start(h.start, unit), unit, 1) < h.end

    def read_order(self) -> None:
        toks = self.tokens
        for i, t in enumerate(toks):
            if self.used[i]:
                continue
            w = t.norm
            if w in ("most", "least") and i + 1 < len(toks) and toks[i + 1].norm in ("recent", "recently"):
                continue
            if w in ("least", "most") and i > 0 and toks[i - 1].norm == "at":
                continue
            if (w in DESC_WORDS or w in ASC_WORDS) and self.sorts_only(i):
                # "biggest first", "best to worst": the order of all rows, no limit
                self.order_dir = w in DESC_WORDS
                self.order_word = i
                self.sort_only = True
                self.claim(i, min(len(toks), i + 3 if toks[i + 1].norm == "to" else i + 2))
                break
            if w in DESC_WORDS or w in ASC_WORDS:
                self.order_dir = w in DESC_WORDS
                self.order_word = i
                self.claim(i, i + 1)
                nxt = number(toks[i + 1].norm) if i + 1 < len(toks) and not self.used[i + 1] else None
                prv = number(toks[i - 1].norm) if i > 0 and not self.used[i - 1] else None
                if nxt is not None:
                    self.order_n = nxt
                    self.claim(i + 1, i + 2)
                elif prv is not None:
                    self.order_n = prv
                    self.claim(i - 1, i)
                else:
                    self.order_n = self.which_n()
                break
            if w in SORT_WORDS or w in ("ascending", "descending"):
                self.order_dir = not any(x.norm in ("ascending", "asc") for x in toks)
                self.order_word = i
                self.claim(i, i + 1)
                for k, x in enumerate(toks):
                    if x.norm in ("ascending", "asc", "descending", "desc"):
                        self.claim(k, k + 1)
                break

    def sorts_only(self, i: int) -> bool:
        """``biggest first``, ``lowest first``, ``best to worst``: a ranking word that only sorts."""
        toks = self.tokens
        nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
        after = toks[i + 2].norm if i + 2 < len(toks) else ""
        return nxt in ("first", "1st", "on") or (nxt == "to" and after in DESC_WORDS | ASC_WORDS)

    def which_n(self) -> int | None:
        """``which 3 regions …``: a count right after which/what."""
        toks = self.tokens
        for k in range(len(toks) - 1):
            n = number(toks[k + 1].norm)
            if (
                toks[k].norm in ("which", "what", "the", "list", "show")
                and n is not None
                and not self.used[k + 1]
            ):
                self.claim(k + 1, k + 2)
                return n
        return None

    def finish_order(self) -> None:
        res = self.res
        if self.order_dir is None or self.order_word is None:
            return
        target = res.metrics[0]
        # "top 5 countries by MRR": the metric named after "by" is the ranking one
        for part in res.spans.get("metrics", []):
            before = self.res.question[: part.start].rstrip().lower()
            if before.endswith((" by", " in", " for")) and part.target in res.metrics:
                target = part.target
                break
        res.order_by = [(target, self.order_dir)]
        i = self.order_word
        self.span("order_by", i, i + 1, ("-" if self.order_dir else "+") + target)
        if self.order_n is not None:
            res.limit = self.order_n
        elif self.sort_only:
            pass
        else:
            nouns = [k for k in self.group_idx if k > i] or [k for k in self.group_idx]
            which = any(t.norm in ("which", "what") for t in self.tokens)
            if nouns:
                t = self.tokens[nouns[0]]
                singular = t.norm == t.stem or t.norm in ("series", "status")
                if singular and (which or self.tokens[i].norm in DESC_WORDS | ASC_WORDS):
                    res.limit = 1
        if res.limit is not None:
            self.span("limit", i, i + 1, str(res.limit))

    # -- dimensions and filters ----------------------------------------------------------------
    def read_dimensions(self, picks: list[_Pick]) -> None:
        res = self.res
        value_dims = {e.target.split("=", 1)[0]: p for p in picks if p.kind == "value" for e in p.entries}
        for p in picks:
            if p.kind != "dimension":
                continue
            if any(e.target in value_dims for e in p.entries) and not self.in_group_context(p.first):
                continue  # "the EMEA region": the value filters, the dimension only names it
            if self.entity_after_value(p):
                self.claim(p.first, p.last)
                continue  # "Aussie companies", "enterprise accounts": who, not a breakdown by name
            name, why = self.choose(p.entries)
            if name is None:
                assert why is not None
                res.refuse(why, self.dims_for_metrics(self.text(p.first, p.last).text))
                return
            if p.fuzzy:
                res.confidence -= 0.1
            if name not in [n for n, _ in res.group_by]:
                res.group_by.append((name, None))
                self.group_idx.append(p.last - 1)
                self.span(
                    "group_by",
                    p.first,
                    p.last,
                    name,
                    "typo" if p.fuzzy else min(e.rank for e in p.entries) >= 5 and "head" or "",
                )

    def entity_after_value(self, p: _Pick) -> bool:
        """An entity noun right after a value or a country adjective ("enterprise accounts", "Aussie
        companies") says who is counted, not what to group by.
        """
        if p.last - p.first != 1 or not all(e.target.endswith("__name") for e in p.entries):
            return False
        if self.tokens[p.first].norm == self.stems[p.first] or self.in_group_context(p.first):
            return False  # singular ("by customer") or after by/per/which
        if any(t.norm in ("which", "what", "list", "who", "whose") for t in self.tokens):
            return False
        j = p.first - 1
        if j < 0:
            return False
        before = self.by_last.get(p.first, [])
        return any(c.entries and any(e.kind == "value" for e in c.entries) for c in before) or (
            self.tokens[j].norm in DEMONYMS
        )

    def read_origin(self) -> None:
        """Questions like "where do our new customers come from?": grouped by their source dimension."""
        norms = [t.norm for t in self.tokens]
        if "where" not in norms or "from" not in norms or any(n != METRIC_TIME for n, _ in self.res.group_by):
            return
        entries = [e for e in self.lex.lookup(("source",)) if e.kind == "dimension"]
        name, _ = self.choose(entries) if entries else (None, None)
        if name is not None:
            i = norms.index("where")
            self.claim(i, i + 1)
            self.claim(norms.index("from"), norms.index("from") + 1)
            self.res.group_by.append((name, None))
            self.span("group_by", i, i + 1, name, "where from")

    def read_filters(self, picks: list[_Pick]) -> None:
        res = self.res
        chosen: dict[tuple[str, bool], list[str]] = {}
        prev: tuple[int, str, bool] | None = None
        for p in picks:
            if p.kind != "value":
                continue
            name, why = self.choose(self.agreeing(p, picks))
            if name is None and p.last - p.first == 1 and self.prefix_of_values(p.last):
                self.used[p.first] = False  # "paid channels": read below as the values "paid" begins
                continue
            if name is None:
                assert why is not None
                res.refuse(why, self.dims_for_metrics(self.text(p.first, p.last).text))
                return
            value = next(e.target.split("=", 1)[1] for e in p.entries if e.target.split("=", 1)[0] == name)
            negated = self.negated(p.first)
            if (
                not negated
                and prev is not None
                and prev[1] == name
                and continues_list(self.tokens, prev[0], p.first)
            ):
                negated = prev[2]  # "w/o LATAM and APAC": the exclusion runs over the list
            prev = (p.last, name, negated)
            values = chosen.setdefault((name, negated), [])
            if value not in values:
                values.append(value)
            self.span("filters", p.first, p.last, f"{name}{'!=' if negated else '='}{value}")
        contrast = any(t.norm in CONTRAST for t in self.tokens) or (
            any(t.norm == "or" for t in self.tokens) and any(t.norm in WHICH_MORE for t in self.tokens)
        )
        for (name, negated), values in chosen.items():
            if contrast and not negated and len(values) > 1 and name not in [n for n, _ in res.group_by]:
                res.group_by.append((name, None))  # "EMEA vs NA": side by side
            if negated:
                res.filters.append(
                    Filter(name, "!=", (values[0],))
                    if len(values) == 1
                    else Filter(name, "not in", tuple(values))
                )
            elif len(values) == 1:
                res.filters.append(Filter(name, "=", (values[0],)))
            else:
                res.filters.append(Filter(name, "in", tuple(values)))

    def read_loose_values(self) -> None:
        """Values named loosely: "Aussie companies" (a demonym), "paid channels" (a word several values of
        the dimension named next begin with).
        """
        res = self.res
        if not res.answerable or not res.metrics:
            return
        values = {
            name: info.values
            for name, info in self.lex.dims.items()
            if info.values and all(self.r.reachable(m, name) for m in res.metrics)
        }
        for i in range(len(self.tokens)):
            hit = None if self.used[i] else demonym(self.tokens, i, values)
            if hit is not None:
                neg = self.negated(i)
                res.filters.append(Filter(hit[0], "!=" if neg else "=", (hit[1],)))
                self.claim(i, i + 1)
                self.span("filters", i, i + 1, f"{hit[0]}{'!=' if neg else '='}{hit[1]}", "demonym")
        for s in list(res.spans.get("group_by", [])):
            k = next((t.index for t in self.tokens if t.start == s.start), None)
            if k is None or k == 0 or self.used[k - 1] or s.target not in values:
                continue
            vals = prefixed(self.tokens[k - 1].norm, values[s.target])
            if not vals:
                continue
            # "paid channels": the values, not a breakdown
            res.group_by = [g for g in res.group_by if g[0] != s.target]
            res.spans["group_by"] = [x for x in res.spans["group_by"] if x.target != s.target]
            neg = self.negated(k - 1)
            res.filters.append(Filter(s.target, "not in" if neg else "in", tuple(vals)))
            self.claim(k - 1, k)
            self.span(
                "filters", k - 1, k + 1, f"{s.target} {'not in' if neg else 'in'} {', '.join(vals)}", "prefix"
            )

    def prefix_of_values(self, k: int) -> bool:
        """Whether the word before ``k`` begins several values of a dimension named at ``k``."""
        word = self.tokens[k - 1].norm
        for c in self.by_first.get(k, []):
            for e in c.entries:
                info = self.lex.dims.get(e.target) if e.kind == "dimension" else None
                if info is not None and prefixed(word, info.values):
                    return True
        return False

    def read_threshold(self) -> None:
        """A threshold per customer ("customers with over 5k MRR"): a filter on the metric per customer."""
        res = self.res
        th = find_threshold(self.tokens, res.question, self.used)
        if th is None or not any(s in THRESHOLD_ENTITIES for s in self.stems):
            return  # "invoices over 1000 dollars": an amount per row, which the catalog cannot apply
        spans = res.spans.get("metrics", [])
        entity = {s.target for s in spans if set(stems(s.text)) <= THRESHOLD_ENTITIES}
        at = self.tokens[th.first].start
        near = sorted((abs(s.start - at), s.target) for s in spans if s.target not in entity)
        if not near:
            return
        metric = near[0][1]
        if not self.r.reachable(metric, "customer__name"):
            return
        self.claim(th.first, th.last)
        self.threshold = True
        norms = " ".join(t.norm for t in self.tokens)
        if "how many" in norms or "number of" in norms or "count of" in norms:
            counted = [m for m in res.metrics if m in entity] or [
                e.target for e in self.lex.lookup(("customer",)) if e.kind == "metric"
            ][:1]
            res.metrics = counted or res.metrics
        else:
            res.metrics = [metric]
            if "customer__name" not in [n for n, _ in res.group_by]:
                res.group_by.append(("customer__name", None))
        res.filters.append(Filter("customer", th.op, (str(th.value),), metric=metric))
        self.span("filters", th.first, th.last, f"{metric} per customer {th.op} {th.value:g}", "threshold")

    def agreeing(self, p: _Pick, picks: list[_Pick]) -> list[Entry]:
        """A value of several dimensions ("Enterprise": segment or plan) listed with a value of only one
        of them ("Enterprise vs SMB") means that one.
        """
        dims = {e.target.split("=", 1)[0] for e in p.entries}
        if len(dims) < 2:
            return p.entries
        others = [
            {e.target.split("=", 1)[0] for e in o.entries}
            for o in picks
            if o is not p and o.kind == "value" and abs(o.first - p.last) <= 4 and abs(p.first - o.last) <= 4
        ]
        for o in others:
            if len(o) == 1 and o <= dims:
                return [e for e in p.entries if e.target.split("=", 1)[0] in o]
        return p.entries

    def negated(self, i: int) -> bool:
        """Whether an exclusion cue ("excluding", "apart from", "all … but") governs the value at ``i``."""
        cue = exclusion_cue(self.tokens, i, self.used)
        if cue is None:
            return False
        self.claim(*cue)
        return True

    # -- leftovers -----------------------------------------------------------------------------
    def check_leftovers(self, picks: list[_Pick]) -> None:
        """Words nothing explained: harmless, or a sign the question asks for something else."""
        res = self.res
        metric_edges = {p.first - 1 for p in picks if p.kind == "metric"} | {
            p.last for p in picks if p.kind == "metric"
        }
        # a metric read from an entity's name alone ("customer") followed by other words
        # (singular: "customers stepping down" is a sentence, "customer lifetime value" a concept)
        entity_edges = {
            p.last
            for p in picks
            if p.kind == "metric"
            and self.stems[p.first : p.last] in (["customer"], ["user"])
            and self.tokens[p.last - 1].norm in ("customer", "user")
            and not self.threshold
        }
        dim_edges = {p.last for p in picks if p.kind == "dimension"}
        unknown: list[int] = []
        known: list[int] = []
        for i, t in enumerate(self.tokens):
            if self.used[i] or t.stem in FILLERS or t.norm in FILLERS:
                continue
            if t.norm in ("one", "single"):
                continue  # "which one", "which single industry", "quick one": not an amount
            if number(t.norm) is not None:
                res.refuse(
                    f"the number '{t.text}' does not fit the question as understood; metricmind filters by "
                    "dimension values, not by amounts",
                    [self.describe(m) for m in res.metrics],
                )
                return
            if t.stem in GRAMMAR or t.norm in GRAMMAR or t.norm in EXCLUSION_WORDS:
                continue
            (known if self.stems[i] in self.lex.vocabulary else unknown).append(i)
        values = {k for p in picks if p.kind == "value" for k in range(p.first, p.last)}
        for i in sorted(unknown + known):
            t = self.tokens[i]
            joined = [
                j for j in (i - 2, i + 2) if j in values and self.tokens[(i + j) // 2].norm in ("and", "or")
            ]
            if i in unknown and joined:
                # "the UK and Ireland": a value the catalog does not know, listed with one it does
                field = next(
                    e.target.split("=", 1)[0]
                    for p in picks
                    if p.kind == "value" and p.first <= joined[0] < p.last
                    for e in p.entries
                )
                info = self.lex.dims.get(field)
                known_values = [
                    {"kind": "value", "name": f"{field}={v}", "label": v}
                    for v in (info.values if info else ())[:10]
                ]
                res.refuse(f"'{t.text}' is not a known value of {field}", known_values)
                return
            grouped = self.in_group_context(i) or self.after_group_word(i) or i in dim_edges
            if grouped:
                # "MRR by product line", "MRR by account manager": a breakdown the catalog lacks
                words = self.neighbourhood(i) if i in dim_edges else t.text
                res.refuse(
                    f"no dimension called '{words}' is known for {', '.join(res.metrics)}",
                    self.dims_for_metrics(t.text),
                )
                return
            if ((i in metric_edges and i in unknown) or i in entity_edges) and not verbish(t.norm):
                # "gross margin", "customer lifetime value": a concept next to a metric's words
                res.refuse(
                    f"'{self.neighbourhood(i)}' is not in the catalog as a metric",
                    self.nearest_metrics(),
                )
                return
            res.confidence -= IGNORED_WORD_PENALTY
            res.notes.append(f"ignored {'unknown word ' if i in unknown else ''}'{t.text}'")
        if res.confidence < 0.5:
            res.refuse(
                "not confident enough in this reading: " + "; ".join(res.notes),
                [self.describe(m) for m in res.metrics],
            )

    def after_group_word(self, i: int) -> bool:
        """Whether only unexplained words stand between ``i`` and a preceding by/per/each."""
        j = i - 1
        while j >= 0 and not self.used[j] and self.tokens[j].norm not in GROUP_WORDS:
            if self.tokens[j].norm in FILLERS and self.tokens[j].norm not in ("the", "a", "an", "our"):
                return False
            j -= 1
        return j >= 0 and not self.used[j] and self.tokens[j].norm in GROUP_WORDS

    def neighbourhood(self, i: int) -> str:
        lo, hi = max(0, i - 1), min(len(self.tokens), i + 2)
        return " ".join(t.text for t in self.tokens[lo:hi])
