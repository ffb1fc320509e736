"""Reading the metrics of a question: phrases, words apart, shared nouns, qualifiers, modifiers."""

from __future__ import annotations

from dataclasses import replace

from metricmind.resolve.lexicon import Entry
from metricmind.resolve.loosevalues import demonym
from metricmind.resolve.measurelist import _MeasureListReading
from metricmind.resolve.metricfallback import _FallbackMetricReading
from metricmind.resolve.metricphrases import LIST_WORDS
from metricmind.resolve.owners import owner_of_metric
from metricmind.resolve.ratecount import RATE_WORDS, count_of_rate
from metricmind.resolve.reading import _Pick
from metricmind.resolve.text import stem
from metricmind.resolve.words import (
    ASC_WORDS,
    DESC_WORDS,
    LOSE_VERBS,
    NEGATIONS,
    QUALIFIER_BEFORE,
    REDUCED_READ_PENALTY,
    SOURCE_WORDS,
)
from metricmind.spec.model import MetricType


class _MetricReading(_FallbackMetricReading, _MeasureListReading):
    """The metric passes (phrase helpers in ``metricphrases``, fallbacks in ``metricfallback``)."""

    # -- metrics -------------------------------------------------------------------------------
    def sort_phrase(self, p: _Pick, others: list[_Pick]) -> bool:
        """Whether ``p`` is one loose word between a word of ranking and "first"/"last" ("most used first",
        "least active last") beside another metric said by its own name: the words say how to sort it.
        """
        if p.last - p.first != 1 or min(e.rank for e in p.entries) < 2 or p.first == 0:
            return False
        if self.tokens[p.first - 1].norm not in DESC_WORDS | ASC_WORDS:
            return False
        nxt = self.tokens[p.last].norm if p.last < len(self.tokens) else ""
        return nxt in ("first", "last", "") and any(min(e.rank for e in q.entries) < 2 for q in others)

    def listed_with_metric(self, p: _Pick, others: list[_Pick]) -> bool:
        """Whether ``p``, the first metric read, is joined by a list word or a comma to a metric right after it
        said in words of its own, not an entity's ("asked for orders and avg order value", "for invoices and
        MRR"): two metrics asked, the first no entity qualifying another, whatever the "for" before it.
        """
        if p.last >= len(self.tokens):
            return False
        gap = self.res.question[self.tokens[p.last - 1].end : self.tokens[p.last].start]
        joined = p.last if self.tokens[p.last].norm in LIST_WORDS else p.last - 1 if "," in gap else None
        if joined is None:
            return False
        if any(q.first < p.first for q in others):
            return False  # ("aov for orders and gmv": the orders aov is of, then a second metric)
        nouns = self.r.entities.nouns
        return any(
            q.first == joined + 1 and not all(w in nouns for w in self.stems[q.first : q.last])
            for q in others
        )

    def named_qualifier(self, qualifying: list[tuple[_Pick, str]]) -> list[tuple[_Pick, str]]:
        """When every metric word read was set aside as an entity qualifying another ("web events from EMEA
        customers", "web enrolments from members in …"), the first one is the metric after all: a qualifier
        needs a metric to qualify.
        """
        for p, name in qualifying[:1]:
            self.qualifiers.difference_update(range(p.first, p.last))
            return [(p, name)]
        return []

    def read_metrics(self, picks: list[_Pick]) -> list[str]:
        self.merge_metric_words(picks)
        measures = self.measure_list()  # "count, total and average of invoices": every one of them
        if measures is not None:
            names, first, last = measures
            self.claim(first, last)
            for name in names:
                self.span("metrics", first, last, name, "measure list")
            picks[:] = [p for p in picks if p.kind != "metric" or p.last <= first or p.first >= last]
        found: list[tuple[_Pick, str]] = []
        for p in picks:
            if p.kind != "metric":
                continue
            if self.names_value_dimension(p, picks):
                self.claim(p.first, p.last)  # "card payments": the payment method's noun, not a metric
                continue
            if self.ranked_entity(p, picks):
                p.kind = "entity"  # "best customers": ranked, but by which metric?
                continue
            found.append((p, self.plural_count(p, self.best_metric(p.entries))))
        # "MRR from Enterprise customers": a bare entity noun qualifies another metric;
        # "our biggest customers by MRR": it names what to group by
        if len(found) == 1 and self.source_value(found[0][0]):
            found = []  # "new accounts from events": the channel; the entity before it says who is counted
        if len(found) > 1:
            keep = []
            qualifying: list[tuple[_Pick, str]] = []
            in_value = {j for q in picks if q.kind == "value" for j in range(q.first, q.last)}
            values = {d: info.values for d, info in self.lex.dims.items()}
            in_value |= {
                j
                for p, _ in found
                if (j := self.prev_word(p.first)) >= 0 and demonym(self.tokens, j, values) is not None
            }  # "our Japanese customers": a country adjective is a value too
            ending: dict[int, list[_Pick]] = {}  # the metrics found by the token after their last
            for q, _ in found:
                ending.setdefault(q.last, []).append(q)
            starts = {q.first for q, _ in found}
            for p, name in found:
                words = self.stems[p.first : p.last]
                if owner_of_metric(self, p.first, p.last, starts - {p.first}):
                    # "our clients' invoices": whose they are, no count of clients
                    self.claim(p.first, p.last)
                    self.qualifiers.update(range(p.first, p.last))
                    continue
                j = self.prev_word(p.first)
                as_dim = [e for e in self.lex.lookup(tuple(words)) if e.kind == "dimension"]
                ranking = j >= 0 and self.tokens[j].norm in DESC_WORDS | ASC_WORDS | {"which", "what"}
                ranking = ranking or self.sorted_by_other(p)  # "customers ranked by MRR"
                ranking = ranking or any(  # "smallest refunds client": rank, metric, the entity ranked
                    (k := self.prev_word(q.first)) >= 0 and self.tokens[k].norm in DESC_WORDS | ASC_WORDS
                    for q in ending.get(j + 1, ())
                    if q is not p
                )
                if len(words) == 1 and words[0] in self.r.entities.nouns and ranking and as_dim:
                    p.kind, p.entries = "dimension", as_dim
                    continue
                j = self.prev_word(p.first)
                after_value = j >= 0 and j in in_value and not self.listed_item(p)  # ("refunds, orders")
                while j >= 0 and j in in_value:
                    j = self.prev_word(j)
                k = j  # "from our DACH customers": one word nothing reads yet may stand in a value's place
                if k >= 1 and self.stems[k] not in self.lex.vocabulary and not self.used[k]:
                    k = self.prev_word(k)
                    if k >= 0 and self.tokens[k].norm in QUALIFIER_BEFORE and not self.count_of(k):
                        self.qualifier_words.add(j)  # (a value read later, or refused: check_leftovers)
                        j, after_value = k, True
                qualifier = after_value or (
                    j >= 0 and self.tokens[j].norm in QUALIFIER_BEFORE and not self.count_of(j)
                )
                qualifier = qualifier or (j >= 0 and self.tokens[j].norm == "by" and self.agent(j, p.first))
                # "billed (to) our customers": the entity right after another metric's verb is who
                k = j - 1 if j >= 0 and self.tokens[j].norm == "to" else j
                verb = k >= 0 and (self.tokens[k].norm.endswith("ed") or k < j)
                qualifier = qualifier or (
                    len(words) == 1
                    and verb
                    and any(q.last == k + 1 for q, _ in found if q is not p)
                    and not after_value
                )
                source = j >= 0 and self.tokens[j].norm in SOURCE_WORDS
                against = self.versus_value(p, in_value, picks)
                if against and self.value_of_other(p, [n for q, n in found if q is not p]):
                    p.entries = [e for e in p.entries if e.target.split("=", 1)[0] in against] or p.entries
                    continue  # "cac for partner vs events": the channel set against another, not a metric
                if (
                    words[0] in self.r.entities.nouns
                    and source
                    and self.value_of_other(p, [n for q, n in found if q is not p])
                ):
                    continue  # "new customers from events": the channel, not who the metric counts
                if (
                    words[0] in self.r.entities.nouns
                    and (len(words) == 1 or not after_value)
                    and qualifier
                    and not self.listed_with_metric(p, [q for q, _ in found if q is not p])
                ):
                    self.claim(p.first, p.last)  # "MRR from customers acquired via paid search"
                    self.qualifiers.update(range(p.first, p.last))
                    qualifying.append((p, name))
                    continue
                if j >= 0 and self.tokens[j].norm in NEGATIONS:
                    self.claim(j, p.last)
                    self.res.notes.append(
                        f"ignored '{self.text(j, p.last).text}': not a filter the catalog has"
                    )
                    continue
                keep.append((p, name))
            found = keep or self.named_qualifier(qualifying)
        found = self.loose_in_list(found)
        out: list[str] = []
        for p, name in found:
            if self.sort_phrase(p, [q for q, _ in found if q is not p]):
                self.claim(p.first, p.last)  # "features by active users, most used first": how to sort
                continue
            for shared in self.shared_noun(p):
                if shared not in out:
                    out.append(shared)  # "new vs churned customers": new customers too
            name = self.modified(p, name)
            name = self.moved_with_verb(p, name)
            own = set(self.stems[p.first : p.last])
            after_list = p.first > 0 and (
                self.tokens[p.first - 1].norm in LIST_WORDS
                or any(
                    c in self.res.question[self.tokens[p.first - 1].end : self.tokens[p.first].start]
                    for c in ",+&/"
                )
            )  # "billed vs revenue": two metrics listed, not one said twice
            if (
                min(e.rank for e in p.entries) >= 2
                and not after_list
                and any(own <= self.lex.metric_words[o] for o in out)
            ):
                self.span("metrics", p.first, p.last, out[-1], "same metric")
                continue  # "MRR we lost to churn": churn is part of churned MRR already
            how = "typo" if p.fuzzy else min(p.entries, key=lambda e: e.rank).source
            said = self.said_elsewhere(name, p.first) if how == "reduced" and p.last - p.first == 1 else []
            if said:  # "churn at a higher rate": the word the shortened name dropped is said apart
                self.claim(said[0], said[0] + 1)
                self.span("metrics", said[0], said[0] + 1, name, "word apart")
                how = "scattered"
            elif how == "reduced" and (share := self.rate_word_beside(p, name)) is not None:
                self.claim(
                    share, share + 1
                )  # "share refunded": the share word says the ratio, in other words
                self.span("metrics", share, share + 1, name, "word apart")
                how = "scattered"
            if p.fuzzy:
                self.res.confidence -= 0.1
            if min(e.rank for e in p.entries) >= 4 and not said:
                self.res.confidence -= REDUCED_READ_PENALTY
            self.span("metrics", p.first, p.last, name, how)
            if name not in out:
                out.append(name)
            status = str(self.r.model.metrics[name].meta.get("status") or "")
            if status == "deprecated":
                self.res.notes.append(f"{name} is deprecated; check its definition before relying on it")
        if measures is not None:
            out = [*measures[0], *(m for m in out if m not in measures[0])]
        if not out:
            out = self.counted_entity() or self.metric_from_words()  # (or a value counted: countedvalue)
        else:
            out += [m for m in self.listed_words(found) if m not in out]
        return self.compound(out)

    def moved_with_verb(self, p: _Pick, name: str) -> str:
        """An amount followed by a verb of losing ("how much mrr went with them", "revenue that walked away"):
        the one metric named by the churn word and the amount's own words ("churned MRR"), the verb claimed.
        """
        m = self.r.model.metrics.get(name)
        if m is None or str(m.meta.get("unit") or "") in ("count", "ratio", "percent"):
            return name
        for k in range(p.last, min(p.last + 3, len(self.tokens))):
            if self.used[k] or self.tokens[k].norm not in LOSE_VERBS:
                continue
            words = tuple(self.stems[p.first : p.last])
            found = {
                e.target
                for lost in ("churned", "lost")
                for e in self.lex.lookup((stem(lost), *words))
                if e.kind == "metric" and e.target != name
            }
            if len(found) != 1:
                return name
            target = found.pop()
            self.claim(k, k + 1)
            self.span("metrics", k, k + 1, target, "modifier")
            self.res.confidence -= 0.1  # the verb says which amount: sure, not certain
            return target
        return name

    def rate_word_beside(self, p: _Pick, name: str) -> int | None:
        """The unread share word ("share", "pct", "percent") right before or after a one-word reading of a
        ratio ("share refunded", "approvals pct"): it says the ratio as its label's "rate" does.
        """
        m = self.r.model.metrics.get(name)
        if m is None or p.last - p.first != 1:
            return None
        label = set((m.label or m.name.replace("_", " ")).lower().split())
        if (
            m.type != MetricType.RATIO
            and not label & RATE_WORDS
            and m.meta.get("unit") not in ("ratio", "percent")
        ):
            return None  # (a conversion metric is a share too: "Trial conversion rate")
        for k in (p.first - 1, p.last):
            if 0 <= k < len(self.tokens) and not self.used[k] and self.tokens[k].norm in RATE_WORDS:
                return k
        return None

    def plural_count(self, p: _Pick, name: str) -> str:
        """``name``, or the count a one-word rate noun said in the plural names, as an item of a list of
        metrics ("applications, approvals and approval rate": ratecount).
        """
        if p.last - p.first != 1 or any(e.source != "reduced" for e in p.entries if e.target == name):
            return name
        q, toks = self.res.question, self.tokens
        after = p.last < len(toks) and (
            toks[p.last].norm in LIST_WORDS or "," in q[toks[p.first].end : toks[p.last].start]
        )
        k = p.first
        counted = k >= 2 and (toks[k - 2].norm, toks[k - 1].norm) in (("how", "many"), ("number", "of"))
        if not (self.listed_item(p) or after or counted):  # ("how many refunds": counted, never a rate)
            return name
        return (
            count_of_rate(self.r.model.metrics, name, self.tokens[p.first].norm, self.stems[p.first]) or name
        )

    def compound(self, out: list[str]) -> list[str]:
        """Two metric words right next to each other, the first a loose word, the second a metric's own
        name ("trial signups"): a compound noun whose first word says which kind, so its metric alone.
        """
        spans = sorted(self.res.spans.get("metrics", []), key=lambda x: x.start)
        if len(out) != 2 or len(spans) != 2 or {x.target for x in spans} != set(out):
            return out
        a, b = spans
        gap = self.res.question[a.end : b.start]
        if gap.strip() or " " in a.text.strip() or a.how not in ("synonym", "reduced") or b.how != "name":
            return out
        kind = self.qualified_amount(a.target, b.target)
        if kind is not None:
            # "new-logo mrr": the amount (MRR) of the kind the count names (new logos) is new MRR
            self.res.spans["metrics"] = [replace(a, target=kind, how="qualified"), replace(b, target=kind)]
            self.res.confidence -= 0.1  # a metric composed from two names: sure, not certain
            return [kind]
        self.res.spans["metrics"] = [a, replace(b, target=a.target, how="compound")]
        self.res.confidence -= 0.25  # a guess at which word is the kind: answered, not sure
        self.res.notes.append(f"read '{a.text} {b.text}' as {a.target}, the kind '{a.text}' names")
        return [a.target]

    def shared_noun(self, p: _Pick) -> list[str]:
        """``new vs churned customers``, ``new, expansion, contraction + churned MRR``: each word of the list
        before this phrase, with the rest of the phrase, when that names a metric too.
        """
        if p.last - p.first < 2:
            return []
        rest = self.stems[p.first + 1 : p.last]
        out: list[str] = []
        k, listed = p.first, False
        while k > 0:
            j = k - 1
            gap = self.res.question[self.tokens[j].end : self.tokens[k].start]
            if self.tokens[j].norm in LIST_WORDS:
                w, listed = j - 1, True
            elif any(c in gap for c in ",+&/"):
                w, listed = j, True
            elif listed:
                w = j  # "new expansion and churned MRR": the list goes on without its commas
            else:
                break
            if w < 0 or self.used[w]:
                break
            entries: list[Entry] = []
            for cut in range(len(rest)):  # "new, expansion and net new MRR": the head noun, if not the rest
                entries = [e for e in self.lex.lookup((self.stems[w], *rest[cut:])) if e.kind == "metric"]
                if entries:
                    break
            partner = self.best_metric(p.entries)
            name = self.best_metric(entries) if entries else self.kind_by_words(w, rest, partner)
            if name is None or name == partner:
                break  # "approvals and approval rate": the word alone is another item, not the same rate
            self.claim(w, k)
            self.span("metrics", w, w + 1, name, "shared noun")
            out.append(name)
            k = w
        return out[::-1]
