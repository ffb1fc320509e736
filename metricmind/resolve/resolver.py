"""Question → metric query, offline and deterministic.

The resolver reads a question in passes, each claiming the words it explains:

1. time phrases (ranges, comparisons, references to the future): ``YTD revenue`` is invoice
   revenue over this year to date, not a second metric;
2. catalog phrases, longest first: metrics, dimensions, dimension values (``Europe`` → region EMEA);
   after ``by``/``per``/``each``/``which``/``top N`` a dimension wins over a metric of the same words;
3. grain words (``monthly``, ``by quarter``), ranking words (``top 5``, ``which … the most``),
   negations (``excluding SMB``) and growth words (``how did … change`` → previous period).

Chat shorthand is spelled out first (``shorthand``). The passes live in layers: the metric passes
(``metricwords``, ``metricphrases``, ``metricfallback``), loose phrasings, thresholds, attribution and
calibration (``phrasings``), time, grain and order (``timeorder``), typos (``typos``), and the order of
the passes with the catalog phrases picked (``passes``); here the resolver that runs them and asks back.

Every dimension and filter is checked against every metric's join graph. A word it cannot explain
lowers the confidence (named in ``notes``); a concept the catalog lacks, an unknown breakdown or a
word too close to call makes it refuse (``answerable: false``) with the reason and the nearest things
it can answer, or the readings to choose from (``clarify``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable
from functools import cached_property
from typing import Any

from metricmind.errors import MetricmindError, QuestionTooLongError
from metricmind.resolve.analysisrequest import read_analysis
from metricmind.resolve.analyst import assumptions, reading_in_words
from metricmind.resolve.asides import read_whole
from metricmind.resolve.attribution import Attribution, attribution_metrics
from metricmind.resolve.calibration import calibrate
from metricmind.resolve.clauses import request_candidates, without_inclusive_lists
from metricmind.resolve.closingmonth import whole_period_kept
from metricmind.resolve.coarse import widen_to_grain
from metricmind.resolve.describe import MetricTexts, metric_texts
from metricmind.resolve.embedscore import ByMeaning, by_meaning
from metricmind.resolve.entities import ProjectEntities, project_entities
from metricmind.resolve.everyday import everyday_words
from metricmind.resolve.exclusion import CUE_SPELLING
from metricmind.resolve.lexicon import Entry, build_lexicon, read_learned
from metricmind.resolve.misreads import catalog_words
from metricmind.resolve.passes import _Reading
from metricmind.resolve.resolution import Resolution
from metricmind.resolve.spelling import Speller
from metricmind.resolve.text import root, stems, tokenize
from metricmind.resolve.timephrases import find_time
from metricmind.resolve.typos import SPOKEN
from metricmind.resolve.words import GRAMMAR
from metricmind.resolve.yesno import flag_spelt_values, yes_no_dims
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import split

BACK_REFERENCES = frozenset({"their", "they", "them", "its", "theirs"})
"""Pronouns by which a request points back at who its context named ("what was their on-time rate")."""
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
        *,
        calibrate: bool = True,
    ) -> None:
        self.model = model
        self.calibrate = calibrate
        """Whether answers' confidence is capped by their features (``calibration``; off only to measure)."""
        self.graph = JoinGraph(model)
        self.lex = build_lexicon(model, learned, values)
        self.catalog_words = catalog_words(  # (calibration features' words)
            self.lex, model.metrics, {n: m.label or "" for n, m in model.metrics.items()}
        )
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
            shifted = self.model.shifted_time_dimensions(metric)
            for sm in sorted(sources):
                try:
                    target = self.graph.resolve(sm, split(dim))
                except (MetricmindError, ValueError):
                    ok = False
                    break
                if target.path.fanout:  # one-to-many: each row would count under several values
                    ok = False
                    break
                if target.dimension is not None and (target.model, target.dimension.name) in shifted:
                    ok = False  # a cumulated or offset measure's own time dimension: metric_time instead
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
    def yes_no(self) -> frozenset[str]:
        """The catalog's yes/no dimensions (``yesno.yes_no_dims``)."""
        return yes_no_dims(self.model, self.lex.dims)

    @cached_property
    def flag_spelt(self) -> frozenset[str]:
        """Values spelt as a yes/no dimension of their entity (``yesno.flag_spelt_values``)."""
        return flag_spelt_values(self.yes_no, self.lex.dims)

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
    def everyday(self) -> frozenset[str]:
        """English's and the catalog's own everyday words (``everyday``): a value of one filters in context."""
        return everyday_words(self.model)

    @cached_property
    def attributions(self) -> list[Attribution]:
        """The catalog's attribution metrics (by their labels)."""

        def metric_of(words: tuple[str, ...]) -> str | None:
            return next((e.target for e in self.lex.lookup(words) if e.kind == "metric"), None)

        return attribution_metrics(self.model, metric_of)

    @cached_property
    def speller(self) -> Speller:
        """Reads misspelt and shortened words as the catalog's words (``spelling``)."""
        return Speller(self.lex.vocabulary, GRAMMAR | CUE_SPELLING, spoken=SPOKEN)

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
        text = without_inclusive_lists(question)  # "(emails, ads, all of it)": what the total takes in
        reading: _Reading = _Reading(self, text, day)
        res = reading.run()
        reading, res = self.read_request(text, day, reading, res)
        revised = self.meaning.revise(reading, lambda q: _Reading(self, q, day)) if self.meaning else None
        if revised is not None:
            reading, res = revised
        widen_to_grain(res, self.model)
        whole_period_kept(res, self.model)  # "mrr end of 2024" on a monthly snapshot: the year
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
        if self.calibrate:
            calibrate(res, catalog=self.catalog_words)
        res = read_analysis(question, res, self.model)
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
            # "admins vs viewers: active users": a lead-in the whole reading explains says who is asked about
            aside = alone.aside and res.confidence >= UNSURE and read_whole(alone.context, res.notes)
            if res.answerable and (refers_back(alone.text) or aside) and lost_values(res, alt_res):
                continue  # "For the QBR with Zeeland Atelier: what was their on-time rate": who "their" is
            if (
                res.time_range is not None
                and alt_res.time_range is None
                and _timed(alone.context, day, question)
            ):
                continue  # "last month, which customers logged over 500 events": the lead is the period
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
        # (a phrase of several words read as one metric is replaced whole: "run rate", not "run")
        end = max(
            (s.end for s in reading.res.spans.get("metrics", []) if s.start == word.start), default=word.end
        )
        choices: list[dict[str, Any]] = []
        for m in metrics:
            label = self.model.metrics[m].label or m
            rewritten = q[: word.start] + label + q[end:]
            alt = _Reading(self, rewritten, as_of).run()
            if alt.answerable and m in alt.metrics:
                choices.append(
                    {"label": label, "question": rewritten, "metrics": alt.metrics, "query": alt.query_dict()}
                )
        if len(choices) < 2:
            return None
        names = " or ".join(f"'{c['label']}'" for c in choices)
        return {"question": f"By '{q[word.start : end]}', did you mean {names}?", "choices": choices}


def refers_back(text: str) -> bool:
    """Whether the request ``text`` holds a pronoun for someone its context named."""
    return any(w in BACK_REFERENCES for w in re.findall(r"[a-z']+", text.lower()))


def lost_values(whole: Resolution, alone: Resolution) -> bool:
    """Whether the reading of the request alone drops a value filter the whole question's reading kept."""
    kept = {(f.field, f.op, f.values) for f in alone.filters}
    return any(f.metric is None and (f.field, f.op, f.values) not in kept for f in whole.filters)


def _timed(context: tuple[str, ...], day: dt.date, question: str) -> bool:
    """Whether the context set apart from a request is only a period ("last month", "in fy24"), or opens the
    question with one ("last month, our CEO is asking …"): it says when, and the request read without it would
    lose it (a period in a sentence after the request, "the board asked for it yesterday", is when it was asked).
    """
    for part in context:
        tokens = tokenize(part)
        hits = [h for h in find_time(tokens, day, set()) if h.kind == "range"]
        said = {k for h in hits for k in range(h.first, h.last)}
        links = ("in", "for", "during", "over", "the")
        if hits and all(k in said or tokens[k].norm in links for k in range(len(tokens))):
            return True
        opening = hits and all(t.norm in links for t in tokens[: hits[0].first])
        if opening and question.lstrip().startswith(part.strip()):
            return True
    return False
