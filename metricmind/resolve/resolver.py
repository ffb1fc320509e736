"""Question → metric query, offline and deterministic.

The resolver reads a question in passes, each claiming the words it explains:

1. time phrases (ranges, comparisons, references to the future): ``YTD revenue`` is invoice
   revenue over this year to date, not a second metric;
2. catalog phrases, longest first: metrics, dimensions, dimension values (``Europe`` → region EMEA);
   after ``by``/``per``/``each``/``which``/``top N`` a dimension wins over a metric of the same words;
3. grain words (``monthly``, ``by quarter``), ranking words (``top 5``, ``which … the most``),
   negations (``excluding SMB``) and growth words (``how did … change`` → previous period).

Chat shorthand is spelled out first (``shorthand``). The passes live in layers: the metric passes
(``metricwords``), loose phrasings, thresholds, attribution and calibration (``phrasings``), time, grain
and order (``timeorder``), and here the catalog phrases, dimensions, filters and leftovers.

Every dimension and filter is checked against every metric's join graph. A word it cannot explain
lowers the confidence (named in ``notes``); a concept the catalog lacks, an unknown breakdown or a
word too close to call makes it refuse (``answerable: false``) with the reason and the nearest things
it can answer, or the readings to choose from (``clarify``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from functools import cached_property
from typing import Any

from metricmind.errors import MetricmindError, QuestionTooLongError
from metricmind.resolve.analysisrequest import read_analysis
from metricmind.resolve.analyst import assumptions, reading_in_words
from metricmind.resolve.attribution import (
    Attribution,
    attribution_metrics,
    read_model,
    speaks_of_credit,
    wants_analysis,
)
from metricmind.resolve.describe import MetricTexts, metric_texts
from metricmind.resolve.exclusion import (
    EXCLUSION_WORDS,
    continues_list,
    exclusion_after,
    exclusion_cue,
    weak_cue,
)
from metricmind.resolve.lexicon import COMMON_WORDS, GROUP_SEP, Entry, build_lexicon, read_learned
from metricmind.resolve.phrasings import IGNORED_WORD_PENALTY, LOSE_VERBS, VS_WORDS, WHICH_MORE, WIN_VERBS
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Filter, Resolution, Span
from metricmind.resolve.text import FILLERS, distance, number, root, typo_limit
from metricmind.resolve.thresholds import verbish
from metricmind.resolve.timeorder import _TimeOrderReading
from metricmind.resolve.timephrases import find_time
from metricmind.resolve.words import (
    ASC_WORDS,
    AUX,
    CONTRAST,
    DESC_WORDS,
    GRAIN_ADJ,
    GRAMMAR,
    GROUP_WORDS,
    SORT_WORDS,
)
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME, split

VALUE_CUES = ("because of", "due to", "because", "via", "through", "attributed to", "credited to", "left for")
"""Words after which an everyday word is a value ("churned because of price", "acquired via events")."""
TIME_WORDS = frozenset(
    """day week month quarter year days weeks months quarters years yesterday today previous last
    january february march april june july august september october november december""".split()
)
"""Time words whose typos are fixed where the time phrases read them ("last quater", "febuary")."""
SAME_MEASURE = frozenset(
    {"volume", "volumes", "level", "levels", "total", "totals", "sum", "figure", "figures"}
)
"""Words beside a metric that keep its measure ("signup volume"); "rate" or "count" would change it."""
LINKING = frozenset({"of", "the", "to", "a", "an"})
"""Words that link a concept to a metric ("the ratio of X to Y", "MRR of the …"): skipped when looking
for the words next to a metric."""
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
    def texts(self) -> MetricTexts:
        """Every metric's words, weighted (the nouns a ``name`` dimension answers to meet its entity)."""
        nouns: dict[str, set[str]] = {}
        for words, entries in self.lex.phrases.items():
            for e in entries:
                if e.kind == "dimension" and e.target.endswith("__name") and len(words) == 1:
                    entity = e.target.split("__", 1)[0]
                    if words[0] != entity:
                        nouns.setdefault(entity, set()).add(words[0])
        return metric_texts(self.model, nouns)

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
        if found is None and len(word) >= 4 and word.isalpha():
            found = self.expand_prefix(word)
        if found is None and len(word) >= 3 and word.isalpha():
            found = self.expand_abbreviation(word)
        self._typos[word] = found
        return found

    def expand_abbreviation(self, word: str) -> str | None:
        """The one catalog word ``word`` abbreviates by dropping letters ("strts" → starts, "usrs" → users):
        no vowel after its first letter, the same first and last letter, its letters in order, at most two
        of the word's consonants dropped.
        """
        vowels = set("aeiou")
        if any(c in vowels for c in word[1:]):
            return None  # an abbreviation drops the vowels ("big" is a word, not "bookings")

        def fits(w: str) -> bool:
            if w[0] != word[0] or w[-1] != word[-1] or len(w) <= len(word):
                return False
            k = 0
            for c in w:
                if k < len(word) and c == word[k]:
                    k += 1
            dropped = sum(1 for c in w if c not in vowels) - sum(1 for c in word if c not in vowels)
            return k == len(word) and dropped <= 2

        found = {w for w in self.lex.vocabulary if w.isalpha() and fits(w)}
        return min(found, key=len) if len({root(w) for w in found}) == 1 else None

    def expand_prefix(self, word: str) -> str | None:
        """The one catalog word ``word`` abbreviates ("feat" → feature, "mgmt" is none): a word that begins
        with it and is at least two letters longer, when no other catalog word (plurals folded) does.
        """
        longer = {w for w in self.lex.vocabulary if w.startswith(word) and len(w) >= len(word) + 2}
        return min(longer, key=len) if len({root(w) for w in longer}) == 1 else None

    # -- resolving -----------------------------------------------------------------------------
    def resolve(
        self,
        question: str,
        *,
        as_of: dt.date | None = None,
        memory_lookup: Callable[[Resolution], Resolution] | None = None,
    ) -> Resolution:
        """Resolve ``question`` against ``as_of`` (default today).

        A question longer than ``MAX_QUESTION_CHARS`` is a ``QuestionTooLongError`` (reading stays
        linear in the question's length below that; the limit keeps answers to people, not documents).
        ``memory_lookup`` (passed in by the project, see ``metricmind.project.memory``) gets the reading
        and returns the answer: the same one, or a reading remembered for a similar question (a
        correction, a confirmed answer), which then says so.
        """
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionTooLongError(len(question), MAX_QUESTION_CHARS)
        day = as_of or dt.date.today()
        reading = _Reading(self, question, day)
        res = reading.run()
        if reading.ambiguous is not None:
            res.clarify = self.clarify(reading, day)
        elif reading.polarity is not None:
            res.clarify = self.clarify_polarity(reading, day)
        res = read_analysis(question, res)
        if memory_lookup is not None:
            res = memory_lookup(res)
        if res.answerable and res.analysis is None:
            res.in_words = reading_in_words(res, self.model)
            res.assumptions = assumptions(res, self.model)
        return res

    def clarify_polarity(self, reading: _Reading, as_of: dt.date) -> dict[str, Any] | None:
        """A value of unclear polarity ("MRR but EMEA"): read leaving the value out, and keeping only it."""
        assert reading.polarity is not None
        first, last, a, b = reading.polarity
        toks, q = reading.tokens, reading.res.question
        value = q[toks[first].start : toks[last - 1].end]
        cue_start, cue_end = toks[a].start, toks[b - 1].end
        bare = (q[:cue_start] + q[cue_end:]).replace("  ", " ").strip()
        at = bare.find(value)
        options = [
            (f"leaving out {value}", bare[:at] + "excluding " + bare[at:]),
            (f"only {value}", bare),
        ]
        choices: list[dict[str, Any]] = []
        for label, rewritten in options:
            alt = _Reading(self, rewritten, as_of).run()
            if alt.answerable:
                choices.append(
                    {"label": label, "question": rewritten, "metrics": alt.metrics, "query": alt.query_dict()}
                )
        if len(choices) < 2 or at < 0:
            return None
        return {
            "question": f"Did you mean {choices[0]['label']}, or {choices[1]['label']}?",
            "choices": choices,
        }

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


class _Reading(_TimeOrderReading):
    """All passes over one question."""

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
        self.read_composed()
        self.read_ratio()
        self.read_entity_count()
        if not self.attribution_talk():
            res.metrics = self.amount_or_count(self.described(res.metrics))
        self.read_attribution()
        self.grain_inside_metric()
        if res.comparison and any(self.compares(m) for m in metrics):
            res.notes.append(f"{', '.join(metrics)} already compares periods; no extra comparison")
            res.comparison = None
            res.comparison_range = None
        self.read_dimensions(picks)
        self.drop_entity_verb()
        self.read_origin()
        self.read_filters(picks)
        self.read_loose_values()
        self.read_left_values()
        self.read_threshold()
        self.finish_order()
        self.check_leftovers(picks)
        self.calibrate()
        return res

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

    def attribution_talk(self) -> bool:
        """Whether the question speaks of credit or attribution models (read by the attribution passes)."""
        where = read_model(self.tokens, self.r.attributions)[1]
        return speaks_of_credit(self.tokens) or where is not None or wants_analysis(self.tokens, where)

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
                if fixed in TIME_WORDS and fixed not in self.lex.vocabulary:
                    # "last quater": the time phrases read the words as typed, so the word is fixed there too
                    self.tokens[t.index] = replace(t, norm=fixed, stem=fixed)

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
                if kind == "value" and (
                    any(self.anchored(c, e) or self.named_dim_after(c, e) for e in entries)
                    or self.after_cue(c.first)
                ):
                    order["value"] = -1  # "overdue invoices", "acquired via events": a value, not a metric
                best = min(e.rank for e in entries)
                if kind == "dimension" and best >= 5 and not group:
                    continue  # a bare head noun ("type") is a dimension only after "by"
                if kind == "dimension" and not group and self.bare_entity(c, entries):
                    continue  # "how many accounts", "MRR from accounts in the US": who, not a breakdown
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

    def bare_entity(self, c: _Pick, entries: list[Entry]) -> bool:
        """A lone noun for an entity ("accounts", "companies") read as its name dimension: a breakdown only
        after a grouping or ranking word; elsewhere it says who is counted.
        """
        if c.last - c.first != 1 or not all(e.target.endswith("__name") for e in entries):
            return False
        ranking = DESC_WORDS | ASC_WORDS
        j = self.prev_word(c.first)
        if j >= 0 and self.tokens[j].norm in ranking:
            return False
        # "the biggest expansion MRR account": a ranking word, the metric, then the entity ranked
        return not any(
            any(e.kind == "metric" for e in m.entries)
            and (k := self.prev_word(m.first)) >= 0
            and self.tokens[k].norm in ranking
            for m in self.by_last.get(c.first, [])
        )

    def named_dim_after(self, c: _Pick, e: Entry) -> bool:
        """A value right before the name of its own dimension ("the events channel"): a value, even when
        its words also name a metric.
        """
        dim = e.target.split("=", 1)[0]
        return any(
            o.last > o.first and any(x.kind == "dimension" and x.target == dim for x in o.entries)
            for o in self.by_first.get(c.last, [])
        )

    def after_cue(self, i: int) -> bool:
        """Whether the words before ``i`` name where something came from ("via", "through", "because of")."""
        before = " ".join(t.norm for t in self.tokens[max(0, i - 2) : i])
        return before.endswith(VALUE_CUES)

    def ranks_by(self, i: int) -> bool:
        """``biggest plan tier by customers``: after a ranking word, "by" names the metric to rank by."""
        j = self.prev_word(i)
        if j < 0 or self.tokens[j].norm != "by":
            return False
        return self.first_rank_word < j

    @cached_property
    def first_rank_word(self) -> int:
        """The position of the question's first ranking word (``top``, ``lowest``…), or its length."""
        ranking = DESC_WORDS | ASC_WORDS | SORT_WORDS  # "customers sorted by refunds": by the metric
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
        if (
            exclusion_cue(self.tokens, c.first, self.unclaimed) is not None
            or exclusion_after(self.tokens, c.last) is not None
        ):
            return True  # "excluding direct", "partner excluded": a value next to an exclusion cue
        before = " ".join(t.norm for t in self.tokens[max(0, c.first - 2) : c.first])
        if before.endswith(VALUE_CUES):
            return True
        dim = e.target.split("=", 1)[0]
        if self.next_to_dim(c.first, c.last, dim):
            return True
        if before.split()[-1:] in (["on"], ["in"], ["from"]) and self.local_value(dim):
            return True  # "active users on web": a value of the metric's own table after a preposition
        # "the Growth and Pro plans": a sibling value of the same dimension, allowed in its own right
        near = [*self.by_first.get(c.last + 1, []), *self.by_last.get(c.first - 1, [])]
        # "Starter vs Pro": two values of one dimension set against each other are values, everyday or not
        return siblings and any(
            o is not c
            and not self.inside_metric(o)
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

    def local_value(self, dim: str) -> bool:
        """Whether a metric phrase of the question reads the table ``dim`` belongs to."""
        info = self.lex.dims.get(dim)
        return info is not None and info.model in self.metric_tables

    @cached_property
    def metric_tables(self) -> frozenset[str]:
        """The semantic models read by any metric phrase of the question (computed once)."""
        return frozenset(
            sm
            for picks in self.by_first.values()
            for p in picks
            for e in p.entries
            if e.kind == "metric" and e.target in self.r.model.metrics
            for sm in self.r.sources(e.target)
        )

    def inside_metric(self, o: _Pick) -> bool:
        """Whether ``o``'s words begin a longer metric phrase ("churned" in "new and churned MRR")."""
        return any(
            x.last > o.last and any(e.kind == "metric" for e in x.entries)
            for x in self.by_first.get(o.first, [])
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
    # -- dimensions and filters ----------------------------------------------------------------
    def read_dimensions(self, picks: list[_Pick]) -> None:
        res = self.res
        value_dims = {e.target.split("=", 1)[0]: p for p in picks if p.kind == "value" for e in p.entries}
        for p in picks:
            if p.kind != "dimension":
                continue
            if any(e.target in value_dims for e in p.entries) and not self.in_group_context(p.first):
                continue  # "the EMEA region": the value filters, the dimension only names it
            j = self.prev_word(p.first, frozenset())
            if j >= 0 and self.tokens[j].norm == "all":
                self.claim(p.first, p.last)
                continue  # "all industries but education": the dimension only frames the exclusion
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
        said: dict[tuple[str, bool], int] = {}  # values named one by one (a group is one)
        firsts: dict[tuple[str, bool], int] = {}  # where each list of values begins
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
            negated = self.negated(p.first, p.last)
            if not negated and self.restates(p):
                continue  # "paid invoice revenue", "customers paying us": the metric says it already
            weak = None if negated else weak_cue(self.tokens, p.first, p.last)
            if weak is not None and self.polarity is None:
                self.polarity = (p.first, p.last, *weak)
            if (
                not negated
                and prev is not None
                and prev[1] == name
                and continues_list(self.tokens, prev[0], p.first)
            ):
                negated = prev[2]  # "w/o LATAM and APAC": the exclusion runs over the list
            prev = (p.last, name, negated)
            values = chosen.setdefault((name, negated), [])
            said[(name, negated)] = said.get((name, negated), 0) + 1
            if said[(name, negated)] == 1:
                firsts[(name, negated)] = p.first
            for v in value.split(GROUP_SEP):  # a group of values ("mobile apps" → ios, android)
                if v not in values:
                    values.append(v)
            self.span("filters", p.first, p.last, f"{name}{'!=' if negated else '='}{value}")
        if self.polarity is not None:
            first, last, a, b = self.polarity
            res.refuse(
                f"unclear whether '{self.text(first, last).text}' is left out or kept "
                f"('{self.text(a, b).text}'): say 'excluding' or 'only'",
                [],
            )
            return
        contrast = any(t.norm in CONTRAST for t in self.tokens) or (
            any(t.norm == "or" for t in self.tokens) and any(t.norm in WHICH_MORE for t in self.tokens)
        )
        for (name, negated), values in chosen.items():
            if (
                (contrast or self.bare_list(firsts[(name, negated)]))
                and not negated
                and said[(name, negated)] > 1
                and name not in [n for n, _ in res.group_by]
            ):
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

    def bare_list(self, first: int) -> bool:
        """Values listed right after the metric's words, with no word tying them to it as a condition
        ("new customers referral or partner"): the groups to see side by side, not one filter.
        """
        j = first - 1
        return j >= 0 and any(
            x.start <= self.tokens[j].start < x.end for x in self.res.spans.get("metrics", [])
        )

    # -- leftovers -----------------------------------------------------------------------------
    def check_leftovers(self, picks: list[_Pick]) -> None:
        """Words nothing explained: harmless, or a sign the question asks for something else."""
        res = self.res
        kept = [p for p in picks if p.kind == "metric" and self.best_metric(p.entries) in res.metrics]
        metric_edges = {self.edge(p.first - 1, -1) for p in kept} | {self.edge(p.last, 1) for p in kept}
        # a metric read from one loose word ("sales" for invoice revenue): any word it leaves unread right
        # beside it makes another concept ("days sales outstanding", "sales cycle")
        loose_edges = {
            k
            for p in kept
            if p.last - p.first == 1 and min(e.rank for e in p.entries) >= 2
            for k in (p.first - 1, p.last)
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
            and self.best_metric(p.entries) in res.metrics  # not one a description replaced
        }
        dim_edges = {p.last for p in picks if p.kind == "dimension"}
        # "which customers owe us …": the word after a plural entity noun is its verb, not a breakdown
        subjects = {
            p.last
            for p in picks
            if p.kind == "dimension"
            and any(e.target.endswith("__name") for e in p.entries)
            and self.tokens[p.last - 1].norm != self.stems[p.last - 1]
        }
        unknown: list[int] = []
        known: list[int] = []
        preamble = self.preamble()
        said_by_metric = self.verbs_the_metrics_say()
        for i, t in enumerate(self.tokens):
            if self.used[i] or t.stem in FILLERS or t.norm in FILLERS or i in preamble:
                continue
            if t.norm in said_by_metric:
                continue  # "new customers we landed": the verb says what the metric says
            if t.norm in SAME_MEASURE and i in metric_edges:
                continue  # "signup volume", "mrr level": a word beside the metric that keeps its measure
            if t.norm == "due" and i + 1 < len(self.tokens) and self.tokens[i + 1].norm == "to":
                continue  # "churned due to price": a cue, not a concept
            if t.norm in ("one", "single"):
                continue  # "which one", "which single industry", "quick one": not an amount
            if self.stems[i] in self.r.texts.entity_words and res.filters:
                continue  # "enterprise-segment accounts in the US": who the filters describe
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
            grouped = (self.in_group_context(i) or self.after_group_word(i) or i in dim_edges) and (
                i not in subjects
            )
            if grouped:
                # "MRR by product line", "MRR by account manager": a breakdown the catalog lacks
                words = self.neighbourhood(i) if i in dim_edges else self.run_of_unread(i)
                res.refuse(
                    f"no dimension called '{words}' is known for {', '.join(res.metrics)}",
                    self.dims_for_metrics(t.text),
                )
                return
            asked = i in unknown and i > 0 and self.tokens[i - 1].norm == "how"
            # (an "-ing" word beside a loose word makes a compound too: "sales outstanding", "operating")
            compound = i in loose_edges and not verbish(t.norm.removesuffix("ing"))
            concept = (i in metric_edges and i in unknown) or i in loose_edges
            if (concept or i in entity_edges or asked) and (compound or not verbish(t.norm)):
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

    def preamble(self) -> set[int]:
        """Words before a dash or colon that nothing read ("quick q - …", "for the board: …"): chat."""
        q = self.res.question
        for mark in (" - ", ": ", " – ", " — "):
            at = q.find(mark)
            if at > 0:
                before = [t.index for t in self.tokens if t.end <= at]
                if before and not any(self.used[i] for i in before) and len(before) <= 4:
                    return set(before)
        return set()

    def verbs_the_metrics_say(self) -> frozenset[str]:
        """Verbs of winning or losing customers that a metric read already says (new …, churned …)."""
        words = set().union(*(self.lex.metric_words.get(m, set()) for m in self.res.metrics))
        return (WIN_VERBS if "new" in words else frozenset()) | (
            LOSE_VERBS if "churn" in words else frozenset()
        )

    def edge(self, i: int, step: int) -> int:
        """The first word from ``i`` on (going by ``step``) past linking words nothing read: what stands
        next to a metric ("ltv to cac", "mrr of the color blue").
        """
        while 0 <= i < len(self.tokens) and not self.used[i] and self.tokens[i].norm in LINKING:
            i += step
        return i

    def after_group_word(self, i: int) -> bool:
        """Whether only unexplained words stand between ``i`` and a preceding by/per/each."""
        j = i - 1
        while j >= 0 and not self.used[j] and self.tokens[j].norm not in GROUP_WORDS:
            if self.tokens[j].norm in FILLERS and self.tokens[j].norm not in ("the", "a", "an", "our"):
                return False
            j -= 1
        return j >= 0 and not self.used[j] and self.tokens[j].norm in GROUP_WORDS

    def run_of_unread(self, i: int) -> str:
        """The words from ``i`` up to the next word something read ("by ad network" → 'ad network')."""
        k = i + 1
        while k < len(self.tokens) and not self.used[k] and self.tokens[k].norm not in FILLERS:
            k += 1
        return self.text(i, k).text

    def neighbourhood(self, i: int) -> str:
        lo, hi = max(0, i - 1), min(len(self.tokens), i + 2)
        return " ".join(t.text for t in self.tokens[lo:hi])
