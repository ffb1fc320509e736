"""Words nothing read: harmless, a sign the question asks for something the catalog lacks, or chat.

The last pass of a reading (``_LeftoverReading``, under the resolver's ``_Reading``).
"""

from __future__ import annotations

from metricmind.resolve.chat import closing_aside, greeting, lead_in, spoken_markers
from metricmind.resolve.describe import PHRASE_WEIGHT, content, key
from metricmind.resolve.describedonly import described_only
from metricmind.resolve.exclusion import (
    ALL_WORDS,
    EXCLUSION_WORDS,
)
from metricmind.resolve.frontedconcept import fronted_run, run_around
from metricmind.resolve.kindvalues import _KindReading
from metricmind.resolve.leftoverkinds import _LeftoverKinds
from metricmind.resolve.meaningvalues import _MeaningValueReading
from metricmind.resolve.offtopic import _OffTopicReading
from metricmind.resolve.owners import owning_entity
from metricmind.resolve.phrasings import IGNORED_WORD_PENALTY
from metricmind.resolve.reading import _Pick
from metricmind.resolve.text import FILLERS, GENERIC, Token, clause_break, number
from metricmind.resolve.thresholds import COMPARATORS, OBJECT_PRONOUNS, THAN_WORDS, signed, verbish
from metricmind.resolve.timeorder import _TimeOrderReading
from metricmind.resolve.toldbymetric import metric_prose, said_in_prose
from metricmind.resolve.words import (
    GRAMMAR,
    GROUP_WORDS,
    LOSE_VERBS,
    WIN_VERBS,
)

PARAPHRASE_PENALTY = 0.1
"""What a word of a relative clause restating the metric's description costs (a word unexplained: 0.25)."""
PLACE_WORDS = frozenset({"from", "in", "across"})
"""Words before a value named loosely ("MRR from the Nordics", "customers in DACH")."""
SAME_MEASURE = frozenset(
    {
        "volume",
        "volumes",
        "level",
        "levels",
        "total",
        "totals",
        "sum",
        "figure",
        "figures",
        "base",
        "balance",
        "size",
    }
)
"""Words beside a metric that keep its measure ("signup volume", "customer base"); "rate" or "count" would
change it."""

RECORD_VERBS = frozenset(
    "log logs logged record records recorded track tracks tracked register registered capture captured".split()
)
"""Verbs of keeping a record, said by the asker ("did we log", "we tracked"): the metric counts what was kept."""
LINKING = frozenset({"of", "the", "to", "a", "an"})
"""Words that link a concept to a metric ("the ratio of X to Y", "MRR of the …"): skipped when looking
for the words next to a metric."""
MEASURE_NOUNS = frozenset({"number", "count", "amount", "size", "level", "quantity"})
"""Nouns that say a breakdown is by how many or how much of something ("MRR by number of seats"): the
words after their "of" are still the breakdown."""
NAME_FILLERS = frozenset({"time", "company", "business", "data", "value"})
"""Words that say nothing alone but start a breakdown's name right after "by" ("by time zone", "by company
size", "by business unit"): with the unknown word after them, a breakdown the catalog lacks."""

MEASURE_KIND_WORDS = GENERIC | {"ratio"}
"""Words of a metric's name that say what sort of figure it is, not what it measures: a metric read from one
of them alone is told apart from its siblings by the word before it."""


SHOWN_AS = frozenset(
    "combined consolidated aggregated detailed updated reported selected listed requested needed "
    "expected".split()
)
"""Participles before a metric that say how it is shown or asked, not another concept ("combined MRR")."""
SUBJECTS = frozenset({"we", "they", "you", "i", "who", "that", "which"})
"""Words after which a participle is the verb of a clause ("what we billed"), not an adjective."""


class _LeftoverReading(
    _TimeOrderReading, _KindReading, _OffTopicReading, _MeaningValueReading, _LeftoverKinds
):
    """The pass over words no other pass read."""

    # -- leftovers -----------------------------------------------------------------------------
    def kind_words_read(self) -> set[int]:
        """The tokens of metrics read from one word of their name that says only the sort of figure ("ratio")."""
        return {
            k
            for s in self.res.spans.get("metrics", [])
            if s.how == "word"
            and (k := self.token_at.get(s.start, 0)) > 0
            and self.stems[k] in MEASURE_KIND_WORDS
        }

    def check_leftovers(self, picks: list[_Pick]) -> None:
        """Words nothing explained: harmless, or a sign the question asks for something else."""
        res = self.res
        off = self.off_topic(picks) or self.named_values(picks)
        if off:
            res.refuse(off, self.nearest_metrics())
            return
        kept = [p for p in picks if p.kind == "metric" and self.best_metric(p.entries) in res.metrics]
        # (a word set apart by a comma, "!" or a dash is no part of the metric's name: "hi team! arpa")
        metric_edges = {
            k
            for p in kept
            for k, near in ((self.edge(p.first - 1, -1), p.first), (self.edge(p.last, 1), p.last - 1))
            if not self.set_apart(k, near)
        }
        # a participle the catalog lacks right before a metric's words qualifies it into another concept
        # ("deferred revenue", "adjusted mrr", "forecasted signups"), unless it only says how it is shown
        qualified = {
            k: p.last
            for p in kept
            if (k := p.first - 1) >= 0
            and self.tokens[k].norm.endswith("ed")
            and self.stems[k] not in self.lex.vocabulary
            and self.tokens[k].norm not in SHOWN_AS
            and (k == 0 or self.tokens[k - 1].norm not in SUBJECTS)
        }
        # a metric read from one loose word ("sales" for invoice revenue): any word it leaves unread right
        # beside it makes another concept ("days sales outstanding", "sales cycle")
        loose_edges = {
            k
            for p in kept
            if p.last - p.first == 1 and min(e.rank for e in p.entries) >= 2
            for k in (p.first - 1, p.last)
        }
        # ...and a metric read from one word of its name ("spend" of marketing spend): an unread word right
        # before it names another kind of that thing ("server spend", "office spend")
        word_edges = {
            k - 1
            for s in res.spans.get("metrics", [])
            if s.how == "word"
            and (k := self.token_at.get(s.start, 0)) > 0
            and not self.set_apart(k - 1, k)
            # (a word the catalog lacks; or any word, before a word that says only what sort of figure it is:
            # "expense ratio" is no loss ratio, even where "expense" is a payment type)
            and (self.stems[k - 1] not in self.lex.vocabulary or self.stems[k] in MEASURE_KIND_WORDS)
        }
        loose_edges |= word_edges
        for k in sorted(j - 1 for j in self.kind_words_read()):
            if self.tokens[k].norm in SHOWN_AS and not self.used[k]:
                # "combined ratio": a participle before a bare word of kind makes another figure, where
                # before a metric's own name it only says how it is shown ("combined MRR")
                read = [self.describe(m) for m in res.metrics]
                res.refuse(f"'{self.text(k, k + 2).text}' is not in the catalog as a metric", read)
                return
        # a metric read from an entity's name alone ("customer") followed by other words
        # (singular: "customers stepping down" is a sentence, "customer lifetime value" a concept)
        entity_edges = {
            p.last
            for p in picks
            if p.kind == "metric"
            and p.last - p.first == 1
            and self.stems[p.first] in self.r.entities.nouns
            and self.tokens[p.first].norm == self.stems[p.first]  # singular: a concept's first word
            and not self.threshold
            and self.best_metric(p.entries) in res.metrics  # not one a description replaced
        }
        dim_edges = {p.last for p in picks if p.kind == "dimension"}
        # "mrr of the letter q": every word of the run a metric's "of" links is part of the concept asked
        linked = {k for p in kept for k in self.linked_run(p.last)}
        # "the payback period on cac": the noun a preposition puts before the metric is the concept asked
        fronted = {
            k
            for p in kept
            for k in fronted_run(self.tokens, self.stems, self.used, self.lex.vocabulary, p.first)
            if not self.set_apart(k, p.first)
        }
        linked |= fronted
        # "which customers owe us …": the word after a plural entity noun is its verb, not a breakdown
        subjects = {
            p.last
            for p in picks
            if p.kind == "dimension"
            and any(e.target.endswith("__name") or e.source == "entity" for e in p.entries)
            and self.tokens[p.last - 1].norm != self.stems[p.last - 1]
        }
        unknown: list[int] = []
        known: list[int] = []
        preamble = self.chat()
        said_by_metric = self.verbs_the_metrics_say()
        named_by_metric = {  # the words of the read metrics' own names, labels and synonyms
            k for m in res.metrics for k, w in self.r.texts.weights.get(m, {}).items() if w >= PHRASE_WEIGHT
        }
        for i, t in enumerate(self.tokens):
            if self.used[i] or t.stem in FILLERS or t.norm in FILLERS or i in preamble:
                continue
            if t.norm in said_by_metric or (
                verbish(t.norm) and content(t.norm) and key(t.norm) in named_by_metric
            ):
                continue  # "new customers we landed", "trials were started": the verb says what the metric says
            if self.verb_of_read_metric(i):
                if i + 1 < len(self.tokens) and self.tokens[i + 1].norm in OBJECT_PRONOUNS:
                    self.used[i + 1] = True  # (whom it is owed: "owe us")
                continue  # "accounts who owe us 10k overdue": "money owed", the metric's own words say it
            if t.norm in RECORD_VERBS and any(
                self.tokens[k].norm in ("we", "you", "i") for k in range(i - 2, i)
            ):
                continue  # "how many touchpoints did we log": who recorded them, not what is asked
            if t.norm in SAME_MEASURE and i in metric_edges:
                continue  # "signup volume", "mrr level": a word beside the metric that keeps its measure
            if self.reason_cue(i):
                continue  # "churned due to price", "lost owing to a competitor": a cue, not a concept
            if self.threshold and verbish(t.norm) and self.before_threshold(i):
                continue  # "customers who logged more than 2000 events": what they did, the threshold says
            if t.norm in ("one", "single", "ones", "anything", "something"):
                continue  # "which one", "which single industry", "the ones from": not an amount or a concept
            if self.stems[i] in self.r.texts.entity_words and res.filters:
                continue  # "enterprise-segment accounts in the US": who the filters describe
            if i in metric_edges and owning_entity(self, i):
                continue  # "hub backlog": the entity the metric's rows are kept per says whose it is
            if self.counted_by_metric(i):
                continue  # "how many accounts cancelled": who the metric read counts
            if any(self.stems[i] in f.field.split("__")[:-1] for f in res.filters):
                continue  # "tickets from EMEA accounts": the entity a filter's dimension belongs to
            if number(t.norm) is not None and said_in_prose(t.norm, res.metrics, metric_prose(self.r.model)):
                continue  # "survey answers of 4 or 5 stars": the numbers the metric's description says
            if number(t.norm) is not None:
                res.refuse(
                    f"the number '{t.text}' does not fit the question as understood; metricmind filters by "
                    "dimension values, not by amounts",
                    [self.describe(m) for m in res.metrics],
                )
                return
            if t.stem in GRAMMAR or t.norm in GRAMMAR or t.norm in EXCLUSION_WORDS:
                continue
            if t.norm in ALL_WORDS and any(f.op in ("!=", "not in") for f in res.filters):
                continue  # "everything but referrals": the word frames the exclusion read
            (known if self.stems[i] in self.lex.vocabulary else unknown).append(i)
        for i in [k for k in sorted(unknown + known) if self.qualifier_noun(k)]:
            if self.value_by_meaning(i):  # "new mrr from banks": the industry they are, by meaning
                (unknown if i in unknown else known).remove(i)
            elif i in known and (not self.lex.lookup((self.stems[i],)) or i in self.fuzzy):
                # "from banks": a word known only inside other phrases, in a value's place; never dropped (nor
                # "from startups", which only a misspelling makes a catalog word: "status")
                res.refuse(
                    f"'{self.tokens[i].text}' is not a value or an entity the catalog knows",
                    self.dims_for_metrics(self.tokens[i].text),
                )
                return
        values = {k for p in picks if p.kind == "value" for k in range(p.first, p.last)}
        unread = set(unknown)
        for k in sorted(self.qualifier_words & unread):
            # "mrr from martian customers": a word in a value's place that no value, place or group reads
            res.refuse(
                f"'{self.run_of_unread(k)}' is not a value or an entity the catalog knows",
                self.dims_for_metrics(self.tokens[k].text),
            )
            return
        for i in unknown:
            if i + 2 in unread and self.tokens[i + 1].norm in ("vs", "versus", "against"):
                # "split voluntary vs involuntary": two things set against each other that no dimension holds
                words = f"{self.tokens[i].text} vs {self.tokens[i + 2].text}"
                res.refuse(
                    f"no dimension with the values '{words}' is known for {', '.join(res.metrics)}",
                    self.dims_for_metrics(self.tokens[i].text),
                )
                return
        for i in sorted(unknown + known):
            t = self.tokens[i]
            joined = [
                j for j in (i - 2, i + 2) if j in values and self.tokens[(i + j) // 2].norm in ("and", "or")
            ]
            place = self.tokens[self.prev_word(i)].norm if self.prev_word(i) >= 0 else ""
            if i in unknown and place in PLACE_WORDS and t.text[:1].isupper() and not res.filters:
                # "MRR from the Nordics": a value named loosely that no value is; ask, never drop it
                res.refuse(
                    f"'{t.text}' is not a value the catalog knows; which values did you mean?",
                    self.dims_for_metrics(t.text),
                )
                return
            if joined and self.kind_of_value(i, joined[0]):
                continue  # "hospitals & clinics": a second kind of the value it is listed with
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
            moved = t.norm in WIN_VERBS | LOSE_VERBS  # ("regions lost the most …": the verb, no breakdown)
            grouped = (
                self.in_group_context(i) or self.after_group_word(i) or (i in dim_edges and not moved)
            ) and (i not in subjects)
            if grouped:
                # "MRR by product line", "MRR by account manager": a breakdown the catalog lacks
                words = self.neighbourhood(i) if i in dim_edges else self.run_of_unread(i)
                if i > 0 and described_only(self.res, self.tokens[i - 1]):
                    words = f"{self.tokens[i - 1].text} {words}"  # "by payment method"
                if i > 0 and not self.used[i - 1] and self.tokens[i - 1].norm in NAME_FILLERS:
                    words = f"{self.tokens[i - 1].text} {words}"  # "by time zone"
                res.refuse(
                    f"no dimension called '{words}' is known for {', '.join(res.metrics)}",
                    self.dims_for_metrics(t.text),
                )
                return
            asked = i in unknown and i > 0 and self.tokens[i - 1].norm == "how"
            # (an "-ing" word beside a loose word makes a compound too: "sales outstanding", "operating")
            compound = (i in loose_edges and not verbish(t.norm.removesuffix("ing"))) or i in qualified
            # (a noun in "-er" before a metric's word is no comparative: "server spend", "partner revenue")
            compound |= (
                i in word_edges and not verbish(t.norm.removesuffix("er")) and t.norm not in THAN_WORDS
            )
            concept = ((i in metric_edges or i in linked) and i in unknown) or i in loose_edges
            if i in unknown and self.qualifying_unknown(i):
                # "revenue from martians", "signups with blue eyes": who or what, a filter the catalog lacks
                res.refuse(
                    f"'{self.run_of_unread(i)}' is not a value or an entity the catalog knows",
                    self.dims_for_metrics(t.text),
                )
                return
            if i in unknown and self.counted_unknown(i):
                # "how many dutch shops …": what is counted is a word the catalog lacks
                res.refuse(f"'{t.text}' is not something the catalog counts", self.nearest_metrics())
                return
            if i in unknown and self.superlative(i):
                # "which touchpoint is the tallest": a ranking by a measure the catalog lacks
                res.refuse(
                    f"'{t.text}' is not a measure the catalog has; by which metric?",
                    self.nearest_metrics(),
                )
                return
            if (concept or i in entity_edges or asked) and (compound or not verbish(t.norm)):
                # "gross margin", "customer lifetime value": a concept next to a metric's words
                # (the metric the concept is said of comes first among the nearest: "payback period on cac")
                read = [self.describe(m) for m in res.metrics]
                words = self.neighbourhood(i)
                if i in fronted:
                    words = self.text(*run_around(fronted, i)).text
                elif i in word_edges:
                    words = self.text(i, i + 2).text  # "server spend": the kind and the metric's word
                elif i in qualified:
                    words = self.text(i, qualified[i]).text  # "normalized churn rate"
                # (a participle qualifying it is never read back into the metric by meaning: "normalized churn")
                said = f"'{words}' is not in the catalog as a metric"
                res.refuse(
                    said + (f": '{t.text}' makes it another measure" if i in qualified else ""),
                    read + [d for d in self.nearest_metrics() if d not in read],
                )
                return
            if self.paraphrased(i):
                # "share of trials that turned into paying deals": the clause restates the metric's definition
                res.confidence -= PARAPHRASE_PENALTY
                res.notes.append(f"read '{t.text}' as part of how {res.metrics[0]} is described")
                continue
            res.confidence -= IGNORED_WORD_PENALTY
            res.notes.append(f"ignored {'unknown word ' if i in unknown else ''}'{t.text}'")

    def before_threshold(self, i: int) -> bool:
        """Whether the word at ``i`` stands right before a threshold's comparison word or sign ("logged more
        than", "ran > 15").
        """
        k = i + 1
        return (
            k < len(self.tokens)
            and self.used[k]
            and (
                any(words[0] == self.tokens[k].norm for words, _ in COMPARATORS)
                or signed(self.res.question, self.tokens, k)
            )
            and any(
                s.how == "threshold" and s.start == self.tokens[k].start
                for s in self.res.spans.get("filters", [])
            )
        )

    def linked_run(self, k: int) -> list[int]:
        """The unread words a metric links with "of" ("mrr of the letter q" → letter, q), else none."""
        if k >= len(self.tokens) or self.used[k] or self.tokens[k].norm != "of":
            return []
        run: list[int] = []
        k = self.edge(k, 1)
        while k < len(self.tokens) and not self.used[k] and self.tokens[k].norm not in FILLERS:
            run.append(k)
            k += 1
        return run

    def chat(self) -> set[int]:
        """Chat nothing read (``chat``): a lead-in before a dash or colon, unnamed; a greeting before "!" and
        a closing aside, each named as context.
        """

        def meaningful(t: Token) -> bool:
            s = self.stems[t.index]
            if t.norm in FILLERS:
                return False
            return s in GRAMMAR or t.norm in GRAMMAR or t.norm in EXCLUSION_WORDS or s in self.lex.vocabulary

        q, toks, used = self.res.question, self.tokens, self.used
        words = lead_in(q, toks, used) | spoken_markers(toks, used)
        for part in (greeting(q, toks, used), closing_aside(q, toks, used, meaningful)):
            if part:
                words |= part
                self.res.notes.append(f"read '{self.text(min(part), max(part) + 1).text}' as context")
        return words

    def verbs_the_metrics_say(self) -> frozenset[str]:
        """Verbs of winning or losing customers that a metric read already says (new …, churned …)."""
        words = set().union(*(self.lex.metric_words.get(m, set()) for m in self.res.metrics))
        return (WIN_VERBS if "new" in words else frozenset()) | (
            LOSE_VERBS if "churn" in words else frozenset()
        )

    def set_apart(self, i: int, j: int) -> bool:
        """Whether punctuation that ends a clause (",", "!", "?", ";", ":", a dash) stands between the
        words at ``i`` and ``j``.
        """
        if not (0 <= i < len(self.tokens) and 0 <= j < len(self.tokens)):
            return False
        a, b = sorted((i, j))
        return clause_break(self.res.question[self.tokens[a].end : self.tokens[b].start])

    def edge(self, i: int, step: int) -> int:
        """The first word from ``i`` on (going by ``step``) past linking words nothing read: what stands
        next to a metric ("ltv to cac", "mrr of the color blue").
        """
        while 0 <= i < len(self.tokens) and not self.used[i] and self.tokens[i].norm in LINKING:
            i += step
        return i

    def counted_by_metric(self, i: int) -> bool:
        """Whether the word at ``i`` is another noun for the entity a metric read counts (its name ends in
        the entity's plural: "accounts" for churned_customers).
        """
        entity = self.r.texts.entity_of.get(self.stems[i])
        return entity is not None and any(
            m.rsplit("_", 1)[-1] in (entity, entity + "s") for m in self.res.metrics
        )

    def after_group_word(self, i: int) -> bool:
        """Whether only unexplained words stand between ``i`` and a preceding by/per/each."""
        j = i - 1
        while (
            j >= 0
            and (not self.used[j] or self.metric_again(j) or described_only(self.res, self.tokens[j]))
            and self.tokens[j].norm not in GROUP_WORDS
        ):
            w = self.tokens[j].norm
            measured = w in MEASURE_NOUNS or (
                w == "of" and j > 0 and self.tokens[j - 1].norm in MEASURE_NOUNS
            )
            named = w in NAME_FILLERS and j == i - 1 and j > 0 and self.tokens[j - 1].norm in GROUP_WORDS
            if w in FILLERS and w not in ("the", "a", "an", "our") and not measured and not named:
                return False  # ("by number of seats": the number of something is still the breakdown)
            j -= 1
        return (
            j >= 0
            and not self.used[j]
            and self.tokens[j].norm in GROUP_WORDS
            and not (self.tokens[j].norm == "by" and (self.agent(j, j + 1) or self.doubled_by(j)))
        )

    def metric_again(self, j: int) -> bool:
        """Whether the word at ``j`` repeats a word of a metric already read earlier in the question ("refunds
        by refund reason", "mrr by mrr band"): the start of a breakdown's name, not the metric a second time.
        """
        spans = self.res.spans.get("metrics", [])
        first = min((s.start for s in spans), default=None)
        said = set().union(*(self.lex.metric_words.get(m, set()) for m in self.res.metrics))
        return first is not None and self.tokens[j].start > first and self.stems[j] in said

    def run_of_unread(self, i: int) -> str:
        """The words from ``i`` up to the next word something read ("by ad network" → 'ad network')."""
        k = i + 1
        while k < len(self.tokens) and not self.used[k] and self.tokens[k].norm not in FILLERS:
            k += 1
        return self.text(i, k).text

    def neighbourhood(self, i: int) -> str:
        """The word at ``i`` with the word before it and the next word, unless a pass read that one: a time
        phrase after an unknown breakdown ("events by action colour last month") is no part of its name.
        """
        lo, hi = max(0, i - 1), min(len(self.tokens), i + 2)
        if hi == i + 2 and self.used[i + 1]:
            hi = i + 1
        return " ".join(t.text for t in self.tokens[lo:hi])
