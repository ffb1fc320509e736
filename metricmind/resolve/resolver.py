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
from metricmind.resolve.audit import _AuditReading
from metricmind.resolve.clauses import request_candidates
from metricmind.resolve.coarse import widen_to_grain
from metricmind.resolve.describe import MetricTexts, metric_texts
from metricmind.resolve.describe import key as word_key
from metricmind.resolve.embedscore import ByMeaning, by_meaning
from metricmind.resolve.entities import ProjectEntities, catalog_metrics, project_entities
from metricmind.resolve.lexicon import Entry, build_lexicon, read_learned
from metricmind.resolve.picking import MOVE_VERBS, _PickReading
from metricmind.resolve.reading import _Pick
from metricmind.resolve.resolution import Resolution, Span
from metricmind.resolve.samefield import join_same_field
from metricmind.resolve.spelling import Speller, in_context
from metricmind.resolve.text import FILLERS, number, root, stems
from metricmind.resolve.thresholds import counted_amount
from metricmind.resolve.timephrases import find_time
from metricmind.resolve.words import (
    GRAIN_ADJ,
    GRAMMAR,
)
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME, split

TIME_WORDS = frozenset(
    """day week month quarter year days weeks months quarters years yesterday today previous last
    january february march april june july august september october november december""".split()
)
"""Time words whose typos are fixed where the time phrases read them ("last quater", "febuary")."""
TYPO_PENALTY = 0.1
"""Confidence a word read as another costs (``spelling``): the metric and breakdown passes take it too."""
UNSURE = 0.5
"""Below this confidence a reading is not answered but asked back (``clarify`` offers it to confirm): an
answer always carries at least this confidence, a refusal less."""
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
        self._hops: dict[tuple[str, str], int] = {}

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
            # a conversion metric is grouped by its base measure's model only (as MetricFlow does)
            sources = self.model.source_models(metric, grouped=True)
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

    def distance(self, metric: str, dim: str) -> int:
        """The joins from ``metric``'s models to ``dim`` (the most over its models; 9 when unreachable)."""
        key = (metric, "#" + dim)
        if key not in self._hops:
            worst = 0
            for sm in sorted(self.model.source_models(metric, grouped=True)):
                try:
                    worst = max(worst, len(self.graph.resolve(sm, split(dim)).path.hops))
                except (MetricmindError, ValueError):
                    worst = 9
            self._hops[key] = worst
        return self._hops[key]

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
    def name_nouns(self) -> dict[str, set[str]]:
        """The nouns the catalog's ``name`` dimensions answer to, by entity ("account" for customer)."""
        nouns: dict[str, set[str]] = {}
        for words, entries in self.lex.phrases.items():
            for e in entries:
                if e.kind == "dimension" and e.target.endswith("__name") and len(words) == 1:
                    entity = e.target.split("__", 1)[0]
                    if words[0] != entity:
                        nouns.setdefault(entity, set()).add(words[0])
        return nouns

    @cached_property
    def entities(self) -> ProjectEntities:
        """The catalog's entity nouns, the party it serves and its entities' order (``entities.py``)."""
        return project_entities(self.model, self.name_nouns)

    @cached_property
    def texts(self) -> MetricTexts:
        """Every metric's words, weighted (the nouns a ``name`` dimension answers to meet its entity, and
        the words for the party the business serves meet the party: "clients" for the bazaar's buyers).
        """
        nouns = {e: set(n) for e, n in self.name_nouns.items()}
        party = self.entities.party
        if party is not None:
            nouns.setdefault(party, set()).update(self.entities.party_words - {party})
        return metric_texts(self.model, nouns)

    @cached_property
    def meaning(self) -> ByMeaning | None:
        """Metrics read by embedding similarity where the words found none (None: the lexical path only)."""
        return by_meaning(self.model)

    @cached_property
    def attributions(self) -> list[Attribution]:
        """The catalog's attribution metrics (by their labels)."""

        def metric_of(words: tuple[str, ...]) -> str | None:
            return next((e.target for e in self.lex.lookup(words) if e.kind == "metric"), None)

        return attribution_metrics(self.model, metric_of)

    @cached_property
    def speller(self) -> Speller:
        """Reads misspelt and shortened words as the catalog's words (``spelling``)."""
        return Speller(self.lex.vocabulary, GRAMMAR)

    def correct(self, word: str) -> str | None:
        """The catalog word ``word`` is a typo or a shortening of, if exactly one fits."""
        found = self.speller.correct(word)
        return None if found is None else found.word

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
        reading: _Reading = _Reading(self, question, day)
        res = reading.run()
        reading, res = self.read_request(question, day, reading, res)
        revised = self.meaning.revise(reading, lambda q: _Reading(self, q, day)) if self.meaning else None
        if revised is not None:
            reading, res = revised
        widen_to_grain(res, self.model)
        if res.answerable and res.confidence < UNSURE:
            res.clarify = self.confirm(res)
            res.refuse(
                "not confident enough in this reading: " + "; ".join(res.notes),
                [reading.describe(m) for m in res.metrics],
            )
        elif reading.ambiguous is not None:
            res.clarify = self.clarify(reading, day)
        elif reading.polarity is not None:
            res.clarify = self.clarify_polarity(reading, day)
        res = read_analysis(question, res)
        res.question = question  # (a reading of the request alone read it with the context blanked)
        if memory_lookup is not None:
            res = memory_lookup(res)
        if res.answerable and res.analysis is None:
            res.in_words = reading_in_words(res, self.model)
            res.assumptions = assumptions(res, self.model)
        return res

    def read_request(
        self, question: str, day: dt.date, reading: _Reading, res: Resolution
    ) -> tuple[_Reading, Resolution]:
        """The request of a long question read without its context (``clauses``), kept when strictly better
        than the whole question's reading: answerable where it was not, or more confident.
        """
        if res.answerable and res.confidence >= 1.0:
            return reading, res
        best: tuple[_Reading, Resolution, tuple[str, ...]] | None = None
        for alone in request_candidates(question):
            if alone.bare_lead is not None and self.entities.nouns & set(stems(alone.bare_lead)):
                continue  # "For our Japanese customers, can you show me MRR": who is asked about
            alt = _Reading(self, alone.text, day)
            alt_res = alt.run()
            top = best[1] if best is not None else res
            if (alt_res.answerable, alt_res.confidence) > (top.answerable, top.confidence):
                best = (alt, alt_res, alone.context)
        if best is None:
            return reading, res
        alt, alt_res, context = best
        alt_res.notes.extend(f"read '{c}' as context" for c in context)
        return alt, alt_res

    def confirm(self, res: Resolution) -> dict[str, Any]:
        """Asking back on a reading too unsure to answer (several words left unexplained or read loosely):
        the reading itself, in words, as the one choice to confirm.
        """
        said = reading_in_words(res, self.model)
        return {
            "question": f"Not sure I read this right. Did you mean: {said}",
            "choices": [
                {
                    "label": said,
                    "question": res.question,
                    "metrics": list(res.metrics),
                    "query": res.query_dict(),
                }
            ],
        }

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


class _Reading(_PickReading, _AuditReading):
    """All passes over one question."""

    # -- passes --------------------------------------------------------------------------------
    def run(self) -> Resolution:
        res = self.res
        if not self.tokens:
            return res.refuse("the question is empty", self.popular())
        self.correct_typos()
        self.read_particles()
        cands = self.candidates()
        amounts = {i for i in range(len(self.tokens)) if counted_amount(self.tokens, i)}
        # a metric's identifier of three words or more holding a time word ("funded amount mom growth") is the
        # metric, not a comparison read out of it
        named = {
            k
            for c in cands
            if c.last - c.first >= 3 and any(e.kind == "metric" and e.source == "name" for e in c.entries)
            for k in range(c.first, c.last)
        }
        hits = find_time(self.tokens, res.as_of, amounts | named)  # ("more than 2000 events": no year 2000)
        for h in hits:
            self.claim(h.first, h.last)
        picks = self.pick(cands)
        metrics = self.read_metrics(picks)
        self.read_grain_and_order(hits)
        self.read_time(hits)
        if not res.answerable:
            return res
        if not metrics:
            metrics = self.implied_by_threshold()
        if not metrics:
            return self.no_metric()
        res.metrics = metrics
        self.read_qualified()
        self.read_their()
        self.read_composed()
        self.read_ratio()
        self.read_entity_count()
        if not self.attribution_talk():
            res.metrics = self.amount_or_count(self.described(res.metrics))
        self.read_attribution()
        self.grain_inside_metric()
        self.grain_of_rate()
        if res.comparison and any(self.compares(m) for m in metrics):
            res.notes.append(f"{', '.join(metrics)} already compares periods; no extra comparison")
            res.comparison = None
            res.comparison_range = None
        self.read_paid()
        self.read_dimensions(picks)
        self.drop_entity_verb()
        self.read_origin()
        self.read_filters(picks)
        self.read_loose_values()
        self.read_left_values()
        self.read_threshold()
        self.res.filters = join_same_field(self.res.filters)
        catalog_metrics(self.r.model, self.res)
        self.finish_order()
        self.read_ranked_tiers()
        self.check_leftovers(picks)
        self.note_corrections()
        self.calibrate()
        self.audit_values()
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
        unread: list[int] = []
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
            if fixed in TIME_WORDS:
                fixed = self.phrase_prefix(t.index, s) or fixed  # "gross merch value": merchandise, not March
            if fixed is not None:
                self.stems[t.index] = fixed
                self.fuzzy.add(t.index)
                if fixed in TIME_WORDS and fixed not in self.lex.vocabulary:
                    # "last quater": the time phrases read the words as typed, so the word is fixed there too
                    self.tokens[t.index] = replace(t, norm=fixed, stem=fixed)
            else:
                unread.append(t.index)
        for k in unread:
            found = in_context(
                self.r.speller,
                self.stems[k],
                self.stems[k - 1] if k > 0 else None,
                self.stems[k + 1] if k + 1 < len(self.stems) else None,
                lambda key: bool(self.lex.lookup(key)),
                lambda word: any(e.kind == "dimension" for e in self.lex.lookup((word,))),
            )
            if found is not None:
                self.stems[k] = found.word
                self.fuzzy.add(k)

    def phrase_prefix(self, k: int, word: str) -> str | None:
        """The catalog word ``word`` begins, when with the words around it it makes a catalog phrase ("gross
        merch value" → gross merchandise value): read so before a time word one letter away (March).
        """
        whole = self.r.speller.prefix(word)
        if whole is None:
            return None
        around = [
            (*self.stems[max(0, k - 2) : k], whole, *self.stems[k + 1 : k + 3]),
            (*self.stems[max(0, k - 1) : k], whole, *self.stems[k + 1 : k + 2]),
            (*self.stems[max(0, k - 1) : k], whole),
            (whole, *self.stems[k + 1 : k + 2]),
        ]
        return whole if any(len(key) > 1 and self.lex.lookup(tuple(key)) for key in around) else None

    def note_corrections(self) -> None:
        """Say which typed words the reading took as other words ("read 'regn' as region"), each at a cost
        in confidence (those read as a metric or a breakdown have paid it where they were read).
        """
        used = [s for spans in self.res.spans.values() for s in spans]
        for k in sorted(self.fuzzy):
            t = self.tokens[k]
            within = [s for s in used if s.start <= t.start and t.end <= s.end]
            if within:
                self.res.notes.append(f"read '{t.text}' as {self.stems[k]}")
            if within and all(s.how != "typo" for s in within):
                self.res.confidence -= TYPO_PENALTY  # a value or a time word (a metric or breakdown paid)

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
                if kind == "value" and (
                    any(self.anchored(c, e) or self.named_dim_after(c, e) for e in entries)
                    or self.after_cue(c.first)
                    or self.negated_value(c)
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
