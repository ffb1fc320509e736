"""Which kind a phrase is in its context: a metric, a dimension or a value ("card payments", "the events channel")."""

from __future__ import annotations

from functools import cached_property

from metricmind.resolve.dimfilters import _FilterReading
from metricmind.resolve.exclusion import (
    exclusion_after,
    exclusion_cue,
)
from metricmind.resolve.flagcues import flag_cued
from metricmind.resolve.lexicon import Entry
from metricmind.resolve.phrasings import VS_WORDS
from metricmind.resolve.reading import _Pick
from metricmind.resolve.text import FILLERS, root, tokenize
from metricmind.resolve.words import (
    ASC_WORDS,
    AUX,
    CONTRAST_PAIRS,
    DESC_WORDS,
    GRAIN_ADJ,
    SORT_WORDS,
    VERSUS_PAIRS,
)

VALUE_CUES = ("because of", "due to", "because", "via", "through", "attributed to", "credited to", "left for")
"""Words after which an everyday word is a value ("churned because of price", "acquired via events")."""


MOVE_VERBS = frozenset(
    "move moves moved moving switch switches switched switching go goes went going drop drops dropped step "
    "steps stepped shift shifts shifted change changes changed downgrade downgraded upgrade upgraded".split()
)
"""Verbs of moving from one value to another ("accounts that moved to a cheaper plan")."""


class _PickReading(_FilterReading):
    """Context checks used while choosing phrases."""

    def read_particles(self) -> None:
        """A verb of moving with "down" or "up" ("moving down to smaller plans", "stepping down a tier") is
        the one metric whose names begin with the particle (downgrades, downsell: contraction MRR), read from
        the catalog's own words; no such metric, or several, and the particle stays a particle.
        """
        for k in range(1, len(self.tokens)):
            particle = self.tokens[k].norm
            if particle not in ("down", "up") or self.tokens[k - 1].norm not in MOVE_VERBS:
                continue
            words = {
                w: {e.target for e in self.lex.lookup((w,)) if e.kind == "metric"}
                for w in self.lex.vocabulary
                if w.startswith(particle) and len(w) > len(particle) + 2
            }
            targets = set().union(*(t for t in words.values() if t)) if words else set()
            if len(targets) == 1:
                self.stems[k] = min(w for w, t in words.items() if t)

    def bare_entity(self, c: _Pick, entries: list[Entry]) -> bool:
        """A lone noun for an entity ("accounts", "companies") read as its name dimension: a breakdown only
        after a grouping or ranking word; elsewhere it says who is counted.
        """
        if c.last - c.first != 1 or not all(
            e.target.endswith("__name") or e.source == "entity" for e in entries
        ):
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

    def ranked_key(self, c: _Pick, entries: list[Entry]) -> bool:
        """An entity's own noun (no ``name`` dimension: its key) right after a ranking word ("worst hub on
        first attempt success"): the entity ranked, as "best sellers" ranks a named one.
        """
        j = self.prev_word(c.first)
        return (
            c.last - c.first == 1
            and any(e.source == "key" for e in entries)
            and j >= 0
            and self.tokens[j].norm in DESC_WORDS | ASC_WORDS
        )

    def named_dim_after(self, c: _Pick, e: Entry) -> bool:
        """A value right before the name of its own dimension ("the events channel"): a value, even when
        its words also name a metric.
        """
        dim = e.target.split("=", 1)[0]
        if self.list_mark_before(c.last):
            return False  # "refunds, orders": two items of a list, not a value before its noun
        return any(
            o.last > o.first and any(x.kind == "dimension" and x.target == dim for x in o.entries)
            for o in self.by_first.get(c.last, [])
        )

    def after_cue(self, i: int) -> bool:
        """Whether the words before ``i`` name where something came from ("via", "through", "because of")."""
        before = " ".join(t.norm for t in self.tokens[max(0, i - 2) : i])
        return before.endswith(VALUE_CUES)

    def negated_value(self, c: _Pick) -> bool:
        """An exclusion cue before words that also start a value ("orders excluding refunded", "GMV not
        counting refunded orders"): the value is left out; a metric of the same word would answer the
        opposite question.
        """
        if exclusion_cue(self.tokens, c.first, self.unclaimed, self.r.entities.nouns) is None:
            return False
        if self.subtracted_metric(c):
            return False  # "new mrr minus churned mrr": a metric taken from another, no value left out
        values = [
            (o, x)
            for o in self.by_first.get(c.first, [])
            for x in o.entries
            if x.kind == "value" and self.value_allowed(o, x)
        ]
        if not values:
            return False
        # "MRR excluding trials" where MRR's own rules already leave trials out: nothing to filter
        said = {root(w) for o, _ in values for w in self.stems[o.first : o.last]}
        return not any(said & self.rule_words(name) for name in self.metrics_elsewhere(c))

    def subtracted_metric(self, c: _Pick) -> bool:
        """Whether ``c`` is a metric phrase of two words or more right after "minus" ("new MRR minus churned
        MRR"), longer than any value starting there and ending in a noun said just before "minus": arithmetic
        on metrics of one noun, not an exclusion.
        """
        j = c.first - 1
        if j < 1 or self.tokens[j].norm != "minus" or c.last - c.first < 2:
            return False
        if not any(e.kind == "metric" for e in c.entries):
            return False
        if self.stems[c.last - 1] not in self.stems[max(0, j - 3) : j]:
            return False  # "arr minus churned customers": ARR without them (the two share no noun)
        return all(
            o.last < c.last
            for o in self.by_first.get(c.first, [])
            if any(x.kind == "value" for x in o.entries)
        )

    def metrics_elsewhere(self, c: _Pick) -> set[str]:
        """Metrics named by candidate phrases that do not overlap ``c``."""
        return {
            e.target
            for picks in self.by_first.values()
            for o in picks
            if o.last <= c.first or o.first >= c.last
            for e in o.entries
            if e.kind == "metric"
        }

    def rule_words(self, metric: str) -> frozenset[str]:
        """Word roots of a metric's description, definition and business rules."""
        m = self.r.model.metrics.get(metric)
        if m is None:
            return frozenset()
        rules = m.meta.get("business_rules")
        texts = [m.description or "", str(m.meta.get("definition") or "")]
        texts += [str(r) for r in rules] if isinstance(rules, list) else [str(rules or "")]
        return frozenset(root(t.stem) for t in tokenize(" ".join(texts)))

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

    def written_as_value(self, c: _Pick, e: Entry) -> bool:
        """Whether an everyday word is written exactly as its value, capital and all, inside a sentence in
        lower case ("how quickly are Growth customers increasing": the plan, not growth).
        """
        text = " ".join(t.text for t in self.tokens[c.first : c.last])
        value = e.target.split("=", 1)[1] if "=" in e.target else ""
        if e.source != "value" or text.lower() != value.lower():
            return False
        before_noun = (
            c.last < len(self.tokens)
            and self.stems[c.last] in self.r.texts.entity_words | self.r.entities.nouns
        )
        if before_noun and value[:1].isupper():
            return True  # "how fast are pro accounts growing": a named value (not a state: "paid") before who
        if c.first == 0 or text != value or not text[:1].isupper():
            return False
        return sum(t.text[:1].islower() for t in self.tokens) > len(self.tokens) // 2  # not a title

    def moved_to(self, i: int) -> bool:
        """Whether a comparative ("cheaper", "pricier") at ``i`` follows a verb of moving and "to" ("move
        to a cheaper plan", "switched to pricier tiers"): it says a change happened, not which value.
        """
        if not self.tokens[i].norm.endswith("er"):
            return False
        j = self.prev_word(i)
        if j < 1 or self.tokens[j].norm not in ("to", "into", "onto"):
            return False
        moving = MOVE_VERBS | {"upgrade", "downgrade"}  # (stems: "upgrades to a higher plan")
        return (
            self.stems[j - 1] in moving
            or self.tokens[j - 1].norm in MOVE_VERBS
            or (j > 1 and (self.tokens[j - 2].norm in MOVE_VERBS or self.stems[j - 2] in moving))
        )

    def value_allowed(self, c: _Pick, e: Entry, *, siblings: bool = True) -> bool:
        """Whether a value phrase counts as a filter (everyday words only in context)."""
        words = self.stems[c.first : c.last]
        if self.moved_to(c.first):
            return False  # "accounts that move to a cheaper plan": a change of plan, not the cheapest one
        if len(words) > 1 and not all(w in self.r.everyday or w in FILLERS for w in words):
            return True
        if not (len(words) == 1 and (words[0] in self.r.everyday or words[0] in FILLERS)):
            return True
        if e.exact_case is not None or self.anchored(c, e) or self.written_as_value(c, e):
            return True
        if self.flaggish(e) and flag_cued(self.tokens, c.first, c.last):
            return True  # "flagged as deleted", "completed only": a yes/no value asked for (``flagcues``)
        if (
            exclusion_cue(self.tokens, c.first, self.unclaimed, self.r.entities.nouns) is not None
            or exclusion_after(self.tokens, c.last, self.dimension_nouns(c.first)) is not None
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
        if self.before_party_noun(c, dim):
            return True  # "from the saas companies": a kind of the party, said before the noun for it
        if self.before_own_metric(c, dim):
            return (
                True  # "dashboard usage", "web signups": a value of the very table the metric after it counts
            )
        if siblings and self.dim_named(dim, c) and self.sibling_value(c, dim):
            return (
                True  # "which plan churns faster, starter or pro": the plan named, two of its values listed
            )
        if siblings and self.value_before_versus(c.first):
            return True  # "sold out listings vs still active ones": set against a value said before
        # "the Growth and Pro plans": a sibling value of the same dimension, allowed in its own right
        near = [*self.by_first.get(c.last + 1, []), *self.by_last.get(c.first - 1, [])]
        near += [*self.by_first.get(c.last + 2, []), *self.by_last.get(c.first - 2, [])]
        # "Starter vs Pro": two values of one dimension set against each other are values, everyday or not
        return siblings and any(
            o is not c
            and not self.inside_metric(o)
            and (join := self.joined_by(c, o)) is not None
            and any(
                x.kind == "value"
                and x.target.split("=", 1)[0] == dim
                and (join != "list" or self.value_allowed(o, x, siblings=False) or self.paired_plain(c, o))
                for x in o.entries
            )
            for o in near
        )

    def flaggish(self, e: Entry) -> bool:
        """Whether ``e`` is a yes/no value, or a value spelt as a yes/no dimension of its entity."""
        return e.target.split("=", 1)[0] in self.r.yes_no or e.target in self.r.flag_spelt

    def flag_asked(self, c: _Pick, entries: list[Entry]) -> bool:
        """Whether ``c`` holds a yes/no value said where one is asked for ("flagged as refunded", "refunded
        only"): the value, before a metric of the same words (``flagcues``).
        """
        return any(self.flaggish(e) for e in entries) and flag_cued(self.tokens, c.first, c.last)

    def before_party_noun(self, c: _Pick, dim: str) -> bool:
        """Whether ``c``, a value of the party's own dimension ``dim``, stands between a word of restriction
        and a noun for the party ("from the saas companies", "among retail accounts").
        """
        ents = self.r.entities
        if ents.party is None or not dim.startswith(f"{ents.party}__") or c.last >= len(self.tokens):
            return False
        if self.stems[c.last] not in ents.party_words:
            return False
        j = self.prev_word(c.first)
        return j >= 0 and self.tokens[j].norm in ("from", "among", "amongst", "at", "with")

    def before_own_metric(self, c: _Pick, dim: str) -> bool:
        """Whether a metric phrase follows ``c`` right after it whose own table holds ``dim`` (a column of
        the rows the metric counts, not of a related entity): the value says which of those rows.
        """
        info = self.lex.dims.get(dim)
        if info is None:
            return False
        return any(
            e.kind == "metric" and e.target in self.r.model.metrics and info.model in self.r.sources(e.target)
            for o in self.by_first.get(c.last, [])
            for e in o.entries
        )

    def dim_named(self, dim: str, c: _Pick) -> bool:
        """Whether the question names the dimension ``dim`` itself, outside ``c`` ("plan", "tier")."""
        return any(p.last <= c.first or p.first >= c.last for p in self.by_dim.get(dim, ()))

    def sibling_value(self, c: _Pick, dim: str) -> bool:
        """Whether a value of ``dim`` is listed right beside ``c`` ("starter or pro")."""
        near = [*self.by_first.get(c.last + 1, []), *self.by_last.get(c.first - 1, [])]
        return any(
            o is not c
            and self.joined_by(c, o) is not None
            and any(x.kind == "value" and x.target.split("=", 1)[0] == dim for x in o.entries)
            for o in near
        )

    def joined_by(self, c: _Pick, o: _Pick) -> str | None:
        """How two phrases are joined: "list" ("and", "or"), "versus" ("vs", "next to", "compared with"),
        or None when other words stand between them.
        """
        a, b = (c, o) if c.first < o.first else (o, c)
        between = tuple(t.norm for t in self.tokens[a.last : b.first])
        if between in (("and",), ("or",), ("and", "the"), ("or", "the"), ("and", "our"), ("or", "our")):
            return "list"  # ("partner or the events channel")
        if (len(between) == 1 and between[0] in VS_WORDS) or between in CONTRAST_PAIRS | VERSUS_PAIRS:
            return "versus"
        return None

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

    def paired_plain(self, c: _Pick, o: _Pick) -> bool:
        """Two everyday words listed together that are both values of one dimension and part of no metric
        phrase ("starter and growth together"): two such words side by side are values, not chance.
        """
        return not any(
            self.inside_metric(x)
            or any(e.kind == "metric" for y in self.by_first.get(x.first, []) for e in y.entries)
            for x in (c, o)
        )

    def inside_metric(self, o: _Pick) -> bool:
        """Whether ``o``'s words begin a longer metric phrase ("churned" in "new and churned MRR")."""
        return any(
            x.last > o.last and any(e.kind == "metric" for e in x.entries)
            for x in self.by_first.get(o.first, [])
        )

    def list_mark_before(self, k: int) -> bool:
        """Whether a comma or list punctuation stands right before word ``k`` ("refunds, orders": two items)."""
        if k < 1 or k >= len(self.tokens):
            return False
        return any(c in self.res.question[self.tokens[k - 1].end : self.tokens[k].start] for c in ",;+&")

    def anchored(self, c: _Pick, e: Entry) -> bool:
        """A value next to its own entity ("annual subscriptions", "invoices that were refunded")."""
        if e.kind != "value":
            return False
        entity = e.target.split("__", 1)[0]
        if c.last < len(self.tokens) and self.stems[c.last] == entity and not self.list_mark_before(c.last):
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
