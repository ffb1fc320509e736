"""The order pass: "top 5", "biggest first", "sorted by name", "order by x desc limit 10" (``timeorder``'s
grain pass hands the words it leaves to ``read_order``; ``finish_order`` runs once the metrics are known).
"""

from __future__ import annotations

from metricmind.resolve.fieldorder import grouped_field, numeric_values, ordered_noun
from metricmind.resolve.phrasings import _PhrasingReading
from metricmind.resolve.polarity import GOOD_BAD, adverse
from metricmind.resolve.rangedorder import ranged_order
from metricmind.resolve.sqlclauses import bare_order, limit_clauses
from metricmind.resolve.text import number
from metricmind.resolve.words import ASC_WORDS, DESC_WORDS, PRICE_WORDS, SORT_WORDS, SPEED_WORDS


class _OrderReading(_PhrasingReading):
    """The order pass."""

    def read_order(self) -> None:
        toks = self.tokens
        for k, _ in limit_clauses(toks):  # "(order by desc limit 10)": SQL's limit, applied in finish_order
            self.claim(k, k + 2)
            self.claim_all(bare_order(toks, k)[0])
        ranged = ranged_order(toks)
        if ranged is not None and not any(t.norm in SORT_WORDS for t in toks):
            # "csat by priority, low to high": a sort of the rows (a sort word reads its own span below)
            self.order_word, self.order_dir, self.sort_only = ranged[0], ranged[2], True
            return
        said = ordered_noun(toks, self.used)
        if said is not None:  # "longest term first": the rows by the term's values (``fieldorder``)
            self.order_word, self.order_noun, self.order_dir = said
            self.sort_only = True
            self.claim(said[0], said[0] + 1)
            self.claim(said[1] + 1, said[1] + 2)
            return
        for i, t in enumerate(toks):
            if self.used[i]:
                continue
            w = t.norm
            if w in ("most", "least") and i + 1 < len(toks) and toks[i + 1].norm in ("recent", "recently"):
                continue
            if w in ("least", "most") and i > 0 and toks[i - 1].norm == "at":
                continue
            if (
                w in SPEED_WORDS.keys() | PRICE_WORDS.keys()
                and i + 1 < len(toks)
                and toks[i + 1].norm in ("first", "1st")
            ):
                # "fastest first" of a time taken: the shortest first ("slowest first": the longest);
                # "cheapest first" of an amount: the lowest first
                self.order_dir = SPEED_WORDS.get(w, PRICE_WORDS.get(w, False))
                self.order_word = i
                self.sort_only = True
                self.claim(i, i + 2)
                break
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
                norms = [x.norm for x in toks]
                for a, b, desc in (("high", "low", True), ("low", "high", False)):
                    for k in range(i + 1, len(toks) - 2):
                        if norms[k : k + 3] == [a, "to", b]:  # "sorted high to low"
                            self.order_dir = desc
                            self.claim(k, k + 3)
                self.order_word = i
                self.claim(i, i + 1)
                for k, x in enumerate(toks):
                    if x.norm in ("ascending", "asc", "descending", "desc"):
                        self.claim(k, k + 1)
                for k in range(i + 1, len(toks)):
                    near = k < i + 3 or toks[k].norm not in ("best", "worst", "top", "bottom")
                    if toks[k].norm in DESC_WORDS | ASC_WORDS and self.sorts_only(k) and near:
                        # "ranked lowest first", "rank the features by events, lowest first": the direction
                        # said after (further away, only a word that says its direction: "worst" of a
                        # churn rate is its highest)
                        self.order_dir = toks[k].norm in DESC_WORDS
                        self.claim(k, min(len(toks), k + 3 if toks[k + 1].norm == "to" else k + 2))
                        break
                break

    def claim_all(self, positions: list[int]) -> None:
        """Claim each word at ``positions``."""
        for k in positions:
            self.claim(k, k + 1)

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
        limits = limit_clauses(self.tokens)
        if limits and res.metrics:  # "… limit 10": as many rows, the largest unless the SQL says asc
            k, n = limits[0]
            said = bare_order(self.tokens, k)[1]
            if self.order_dir is None or self.order_word is None:
                self.order_dir, self.order_word = (True if said is None else said), k
            self.order_n = self.order_n if self.order_n is not None else n
        if self.order_dir is None or self.order_word is None:
            return
        target = res.metrics[0]
        noun = self.order_noun
        field = None if noun is None else grouped_field(res, self.tokens, noun)
        if field is not None and noun is not None:
            self.claim(self.order_word, noun + 1)
            if not numeric_values(self.lex.dims.get(field)):
                # "highest priority first": the values' order is the business's, not their names'
                res.confidence -= 0.25
                res.notes.append(f"left unsorted: the values of {field} have no order metricmind knows")
                return
            res.order_by = [(field, self.order_dir)]
            self.span("order_by", self.order_word, noun + 1, ("-" if self.order_dir else "+") + field)
            return
        # "top 5 countries by MRR": the metric named after "by" is the ranking one
        for part in res.spans.get("metrics", []):
            before = self.res.question[: part.start].rstrip().lower()
            if before.endswith((" by", " in", " for")) and part.target in res.metrics:
                target = part.target
                break
        if self.tokens[self.order_word].norm in GOOD_BAD and adverse(self.r.model.metrics.get(target)):
            self.order_dir = not self.order_dir  # "sla breaches, worst first": the most breaches first
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
                # (a synonym stems to its entity: "client" → customer, still one)
                singular = t.norm == t.stem or t.norm in ("series", "status") or not t.norm.endswith("s")
                if singular and (which or self.tokens[i].norm in DESC_WORDS | ASC_WORDS):
                    res.limit = 1
        if res.limit is not None:
            self.span("limit", i, i + 1, str(res.limit))
