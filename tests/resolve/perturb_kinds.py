"""Metamorphic variants aimed at the kinds that transfer badly to other projects (issue 14, ``perturb.py``'s
second half): thresholds per entity, growth against the previous period, sort and limit, several metrics, and
the nouns of the catalog's entities. Each family reads the item's gold and rewrites only what the gold pins
down, so every variant keeps the original's meaning (and gold):

- ``threshold:k|comma|plain|symbol|words|plus|atleast``: the comparison and amount of the one metric filter
  ("more than 5k" / "over 5,000" / "> 5000" / "in excess of five thousand"); "5k+", "at least 5,000" and
  "5,000 or more" only where the gold's operator is ``>=``;
- ``growth:connector|previous|over|abbrev|how``: "A vs B" of a previous-period comparison said with another
  connector ("compared with", "against"), B said as "the previous month", the whole as "month over month" or
  "mom", or the question asked as "how much did X change"; a catalog growth metric's period phrase ("mom",
  "vs the prior month", "month over month") said another of those ways;
- ``sort:desc|asc``: a neutral order phrase ("highest first", "most first", "high to low", "descending")
  said another neutral way (never "best"/"worst", which depend on the metric);
- ``limit:words|biggest|which``: "top 5" as "top five", "top 5 sellers by gmv" as "5 biggest sellers by gmv",
  "which 3 hubs had the most" as "which three hubs had the most";
- ``multi:comma|and|aswell|plus|swap``: the words joining the metrics said ("X, Y and Z", "X and Y", "X as
  well as Y", "X plus Y") said another way, or the metrics' order reversed (when each is said whole);
- ``entity:noun``: the word for an entity key or name dimension the gold groups or thresholds by said by
  another of the catalog's names for that same thing (the entity's name, label and synonyms; the name
  dimension's label and synonyms), when that name names nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Iterator
from typing import Any

from metricmind.resolve.resolution import Span
from metricmind.spec.model import Model

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen \
seventeen eighteen nineteen".split()
)
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words_of(n: int) -> str:
    """``n`` (0 to 999,999) in English words ("five thousand", "one hundred ten")."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else f"-{_ONES[n % 10]}")
    if n < 1000:
        rest = n % 100
        return f"{_ONES[n // 100]} hundred" + (f" {words_of(rest)}" if rest else "")
    rest = n % 1000
    return f"{words_of(n // 1000)} thousand" + (f" {words_of(rest)}" if rest else "")


# -- thresholds ---------------------------------------------------------------------------------------------
_GT = r"more than|greater than|higher than|over|above|in excess of|exceeding|north of|>"
_GE = r"at least|no less than|>="
_AMOUNT = re.compile(
    rf"(?P<cmp>\b(?:{_GT}|{_GE})\s*|(?<!\w)>=?\s*)?(?P<cur>[$€£])?(?P<num>\d[\d,]*(?:\.\d+)?)"
    r"(?P<scale>k\b|\s?thousand\b|\s?grand\b)?(?P<plus>\+)?(?P<more>\s+or more\b)?",
    re.IGNORECASE,
)


def _number(m: re.Match[str]) -> float:
    value = float(m.group("num").replace(",", ""))
    return value * 1000 if m.group("scale") else value


def thresholds(q: str, want: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """The one metric filter's comparison and amount said the other ways its operator allows."""
    metric_filters = [f["metric_filter"] for f in want.get("filters") or () if "metric_filter" in f]
    if len(metric_filters) != 1 or re.search(r"\b(?:select|having)\b", q, re.IGNORECASE):
        return
    op, value = str(metric_filters[0]["op"]), float(metric_filters[0]["value"])
    if op not in (">", ">=") or value != int(value) or not 0 < value < 1_000_000:
        return
    found = [
        m
        for m in _AMOUNT.finditer(q)
        if _number(m) == value and (m.group("cmp") or m.group("plus") or m.group("more"))
    ]
    if len(found) != 1:
        return
    m, n, cur = found[0], int(value), found[0].group("cur") or ""
    comma, k = f"{n:,}", f"{n // 1000}k" if n >= 1000 and n % 1000 == 0 else ""
    said: list[tuple[str, str]] = []
    if op == ">":
        said += [("k", f"more than {cur}{k}")] if k else []
        said += [
            ("comma", f"over {cur}{comma}"),
            ("plain", f"greater than {cur}{n}"),
            ("symbol", f"> {cur}{n}"),
            ("above", f"above {cur}{n}"),
            ("exceeding", f"exceeding {cur}{comma}"),
        ]
        if cur in ("", "$"):
            said.append(("words", f"in excess of {words_of(n)}{' dollars' if cur else ''}"))
    else:
        said += [
            ("plus", f"{cur}{k or n}+"),
            ("atleast", f"at least {cur}{comma}"),
            ("ormore", f"{cur}{n} or more"),
            ("noless", f"no less than {cur}{n}"),
        ]
    for detail, new in said:
        out = q[: m.start()] + new + q[m.end() :]
        if out != q:
            yield f"threshold:{detail}", out
    yield from _frames(q)


def _frames(q: str) -> Iterator[tuple[str, str]]:
    """The question's frame said another way: "which hubs had …" as "list the hubs that had …" and "hubs
    who had …"; "how many borrowers had …" as "number of borrowers that had …" and "count of borrowers who
    had …" (the words after the noun unchanged)."""
    which = re.match(r"(?i)which ([a-z]+s) (?!(?:by|per|in|for|of|with)\b)(\w+ .*)$", q)
    if which:
        noun, rest = which.groups()
        yield "threshold:frame", f"list the {noun} that {rest}"
        yield "threshold:frame", f"{noun} who {rest}"
    many = re.match(r"(?i)how many ([a-z]+s) (?!(?:by|per|in|for|of|with|are|were|do|did)\b)(\w+ .*)$", q)
    if many:
        noun, rest = many.groups()
        yield "threshold:frame", f"number of {noun} that {rest}"
        yield "threshold:frame", f"count of {noun} who {rest}"


# -- growth ------------------------------------------------------------------------------------------------
_CONNECTORS = ("vs", "versus", "compared with", "compared to", "against")
_CONNECT = re.compile(r"\s+(?:vs\.?|versus|compared (?:with|to)|against)\s+", re.IGNORECASE)
_GRAIN_WORDS = {
    "month": ("mom", "month over month"),
    "week": ("wow", "week over week"),
    "quarter": ("qoq", "quarter over quarter"),
}


def _grain(want: dict[str, Any]) -> str | None:
    """The calendar period the gold's range is (``week``, ``month``, ``quarter``), if it is one."""
    rng = want.get("time_range")
    if not rng:
        return None
    start, end = dt.date.fromisoformat(str(rng[0])), dt.date.fromisoformat(str(rng[1]))
    days = (end - start).days
    if days == 7:
        return "week"
    if start.day != 1 or end.day != 1:
        return None
    months = (end.year - start.year) * 12 + end.month - start.month
    return {1: "month", 3: "quarter"}.get(months) if months != 3 or start.month % 3 == 1 else None


def growths(q: str, want: dict[str, Any], spans: dict[str, list[Span]]) -> Iterator[tuple[str, str]]:
    """A previous-period comparison's "A vs B" or a growth metric's period phrase, said other ways."""
    metrics = [str(m) for m in want.get("metrics") or ()]
    if want.get("comparison") == "previous_period":
        links = list(_CONNECT.finditer(q))
        grain = _grain(want)
        if len(links) != 1:
            return
        link = links[0]
        said = link.group().strip().lower().rstrip(".")
        for other in _CONNECTORS:
            if other != said and not (said.startswith("compared") and other.startswith("compared")):
                yield "growth:connector", q[: link.start()] + f" {other} " + q[link.end() :]
        tail = re.match(r"(?:the\s+)?[\w']+(?:\s+(?:before|prior))?(?:\s+\d{4})?", q[link.end() :])
        if grain is None or tail is None or re.search(r"\w", q[link.end() + tail.end() :]):
            return  # B must end the question
        head = q[: link.start()]
        yield "growth:previous", f"{head} compared with the previous {grain}"
        short, long = _GRAIN_WORDS[grain]
        yield "growth:over", f"{head}, {long}"
        yield "growth:abbrev", f"{head} {short}"
        first = [s for s in spans.get("metrics", ()) if s.start == 0 and q[: s.end] == s.text]
        if len(metrics) == 1 and first:
            yield "growth:how", f"how much did {first[0].text} change, {q[first[0].end :].strip()}"
            period, named = q[first[0].end : link.start()].strip(" ,"), q[link.end() :].strip()
            if 1 <= len(period.split()) <= 2 and 1 <= len(named.split()) <= 2 and not want.get("filters"):
                # "take rate jun vs may": "how did take rate change from may to jun"
                yield "growth:fromto", f"how did {first[0].text} change from {named} to {period}"
        return
    growth = [m for m in metrics if re.search(r"_(mom|wow|qoq)_(growth|change)$", m)]
    if len(growth) != 1:
        return
    grain = {"mom": "month", "wow": "week", "qoq": "quarter"}[growth[0].rsplit("_", 2)[1]]
    short, long = _GRAIN_WORDS[grain]
    ways = (
        short,
        long,
        f"vs the previous {grain}",
        f"compared with the prior {grain}",
        f"{grain} on {grain}",
    )
    pattern = rf"\b(?:{short}|{grain}[ -](?:over|on)[ -]{grain}|(?:vs\.?|versus|compared (?:with|to)) (?:the )?(?:prior|previous|last) {grain})\b"
    found = list(re.finditer(pattern, q, re.IGNORECASE))
    if len(found) != 1:
        return
    m = found[0]
    for k, way in enumerate(ways):
        if way.lower() != m.group().lower():
            yield (
                f"growth:{('abbrev', 'over', 'previous', 'prior', 'on')[k]}",
                q[: m.start()] + way + q[m.end() :],
            )


# -- sort and limit --------------------------------------------------------------------------------------------
_DESC = (
    "highest first",
    "most first",
    "biggest first",
    "largest first",
    "high to low",
    "in descending order",
    "highest to lowest",
    "sorted descending",
)
_ASC = (
    "lowest first",
    "smallest first",
    "fewest first",
    "low to high",
    "in ascending order",
    "lowest to highest",
    "sorted ascending",
)


def sorts(q: str, want: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """A neutral order phrase said another neutral way (sort questions only: no limit)."""
    order = [str(o) for o in want.get("order_by") or ()]
    if len(order) != 1 or want.get("limit"):
        return
    desc = order[0].startswith("-")
    ways = _DESC if desc else _ASC
    found = [(p, m) for p in ways for m in re.finditer(rf"\b{re.escape(p)}\b", q, re.IGNORECASE)]
    if len(found) != 1:
        return
    phrase, m = found[0]
    for way in ways:
        if way != phrase.lower():
            yield f"sort:{'desc' if desc else 'asc'}", q[: m.start()] + way + q[m.end() :]


def limits(q: str, want: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """ "top 5" as "top five" and "5 biggest"; "which 3 hubs had the most" as "which three hubs"."""
    limit, order = want.get("limit"), [str(o) for o in want.get("order_by") or ()]
    if not isinstance(limit, int) or limit < 2 or len(order) != 1 or not order[0].startswith("-"):
        return
    top = list(re.finditer(rf"\btop {limit}\b", q, re.IGNORECASE))
    if len(top) == 1:
        m = top[0]
        yield "limit:words", q[: m.start()] + f"top {words_of(limit)}" + q[m.end() :]
        noun = re.match(r"\s+([a-z]+s)\s+by\b", q[m.end() :], re.IGNORECASE)
        if noun:
            yield (
                "limit:biggest",
                q[: m.start()] + f"{limit} biggest {noun.group(1)}" + q[m.end() + noun.end(1) :],
            )
            yield (
                "limit:highest",
                q[: m.start()] + f"the {limit} highest {noun.group(1)}" + q[m.end() + noun.end(1) :],
            )
        yield "limit:hyphen", q[: m.start()] + f"top-{limit}" + q[m.end() :]
    which = list(re.finditer(rf"\bwhich {limit}\b", q, re.IGNORECASE))
    if len(which) == 1 and re.search(r"\bthe most\b", q[which[0].end() :]):
        m = which[0]
        yield "limit:which", q[: m.start()] + f"which {words_of(limit)}" + q[m.end() :]


# -- several metrics ---------------------------------------------------------------------------------------------
_JOIN = re.compile(r"^\s*(?:,\s*and|,|and|&|\+|plus|as well as)\s*$", re.IGNORECASE)


def joins(
    q: str, want: dict[str, Any], spans: dict[str, list[Span]], names: Callable[[str, str], bool]
) -> Iterator[tuple[str, str]]:
    """The metrics' joining words said another way, or their order reversed (only when each item says its
    metric whole, ``names``: "new and churned mrr" shares its noun, and reversed it reads another way)."""
    metrics = {str(m) for m in want.get("metrics") or ()}
    said = sorted(
        (s for s in spans.get("metrics", ()) if s.target in metrics and q[s.start : s.end] == s.text),
        key=lambda s: s.start,
    )
    if len(metrics) < 2 or len(said) != len(metrics) or {s.target for s in said} != metrics:
        return
    if any(
        a.end > b.start or not _JOIN.match(q[a.end : b.start]) for a, b in zip(said, said[1:], strict=False)
    ):
        return
    names_said = [s.text for s in said]
    head, tail = q[: said[0].start], q[said[-1].end :]
    ways = {
        "comma": ", ".join(names_said[:-1]) + " and " + names_said[-1],
        "and": " and ".join(names_said),
        "aswell": ", ".join(names_said[:-1]) + " as well as " + names_said[-1],
        "plus": " plus ".join(names_said),
        "along": ", ".join(names_said[:-1]) + " along with " + names_said[-1],
        "amp": " & ".join(names_said),
    }
    if all(names(f"metric:{s.target}", s.text) for s in said):
        ways["swap"] = ", ".join(reversed(names_said[1:])) + " and " + names_said[0]
    for detail, text in ways.items():
        out = head + text + tail
        if out != q:
            yield f"multi:{detail}", out


# -- entity nouns ----------------------------------------------------------------------------------------------
def plural(word: str) -> str:
    """The plural of a noun (a last word's: "room type" → "room types")."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|ch|sh)$", word):
        return word + "es"
    return word + "s"


def entity_nouns(model: Model) -> dict[str, list[str]]:
    """The catalog's names, normalised, for each entity key (``property``: its name, label and synonyms) and
    each entity's name dimension (``property__property_name``: its label and synonyms, "hotel"). The two are
    kept apart: a question set may group "by hotel" by the name and "by property" by the key."""
    out: dict[str, list[str]] = {}

    def add(target: str, text: object) -> None:
        n = re.sub(r"\s+", " ", str(text or "").replace("_", " ").strip().lower())
        if n and n not in out.setdefault(target, []):
            out[target].append(n)

    for sm in model.semantic_models.values():
        for e in sm.entities:
            add(e.name, e.name)
            add(e.name, e.label)
            for syn in (e.meta or {}).get("synonyms") or ():
                add(e.name, syn)
        entity = sm.primary
        if not entity:
            continue
        for d in sm.dimensions:
            if d.name in ("name", f"{entity}_name"):
                for text in (d.label, *((d.meta or {}).get("synonyms") or ())):
                    add(f"{entity}__{d.name}", text)
    return out


def entities(
    q: str,
    want: dict[str, Any],
    spans: dict[str, list[Span]],
    nouns: dict[str, list[str]],
    taken: dict[str, set[str]],
    rng: random.Random,
) -> Iterator[tuple[str, str]]:
    """The word for an entity (or its name dimension) the gold groups or thresholds by, said by another of
    the catalog's names for that same thing."""
    grouped = {str(g) for g in want.get("group_by") or () if str(g) in nouns}
    for f in want.get("filters") or ():
        grouped |= {str(g) for g in (f.get("metric_filter") or {}).get("group_by") or () if str(g) in nouns}
    claimed = [(s.start, s.end) for part in ("metrics", "filters") for s in spans.get(part, ())]
    for target in sorted(grouped):
        names = nouns.get(target) or []
        hits = [
            (name, m)
            for name in names
            for m in re.finditer(
                rf"\b{re.escape(name)}(?:s|es)?\b|\b{re.escape(plural(name))}\b", q, re.IGNORECASE
            )
            if not any(a < m.end() and m.start() < b for a, b in claimed)
        ]
        if len(hits) != 1:
            continue
        name, m = hits[0]
        others = [
            n
            for n in names
            if n != name and n not in taken.get(target, set()) and not re.search(r"[\d()]", n)
        ]
        if not others:
            continue
        new = rng.choice(others)
        said = m.group().lower()
        new = plural(new) if said != name else new
        yield "entity:noun", q[: m.start()] + new + q[m.end() :]


def taken_names(nouns: dict[str, list[str]], phrases: dict[str, set[str]]) -> dict[str, set[str]]:
    """Per entity key or name dimension, its names never swapped in: those naming another of them, a metric,
    or a dimension or value other than the name dimension itself."""
    owners: dict[str, set[str]] = {}
    for target, names in nouns.items():
        for n in names:
            owners.setdefault(n, set()).add(target)
    out: dict[str, set[str]] = {}
    for target, names in nouns.items():
        own = {f"dim:{target}"} if "__" in target else set()
        out[target] = {
            n
            for n in names
            if len(owners[n]) > 1 or any(not phrases.get(p, set()) <= own for p in (n, plural(n)))
        }
    return out


def kinds(
    q: str,
    want: dict[str, Any],
    spans: dict[str, list[Span]],
    nouns: dict[str, list[str]],
    taken: dict[str, set[str]],
    rng: random.Random,
    names: Callable[[str, str], bool],
) -> Iterator[tuple[str, str]]:
    """Every family's variants of one question (``want``: its gold ``expect``)."""
    yield from thresholds(q, want)
    yield from growths(q, want, spans)
    yield from sorts(q, want)
    yield from limits(q, want)
    yield from joins(q, want, spans, names)
    yield from entities(q, want, spans, nouns, taken, rng)


# -- transplants: another metric in the same question ------------------------------------------------------------
_NOT_TRANSPLANTED = re.compile(r"growth|change|_mom|_wow|_qoq|_yoy|attributed|conversion|share|_pct|percent")
_TIME_WORDS = re.compile(
    r"\b(?:daily|weekly|monthly|quarterly|yearly|annual|day|week|month|quarter|year|ytd|mtd|qtd|trailing|so far|"
    r"to date|all time|lifetime|last|rolling|\d+d)\b"
)


def _phrase_of(metric: str, vocab: Any) -> list[str]:
    """The catalog phrases that name ``metric`` and nothing else (no digits, two letters or more)."""
    target = f"metric:{metric}"
    return [
        p
        for p in vocab.targets.get(target, ())
        if vocab.phrases.get(p) == {target}
        and len(p) > 2
        and not re.search(r"[\d()%/]", p)
        and not _TIME_WORDS.search(p)  # "revenue so far this year": its own period, against the question's
    ]


def transplants(
    q: str, want: dict[str, Any], spans: dict[str, list[Span]], vocab: Any, resolver: Any, rng: random.Random
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """The question's one metric said as another metric of the catalog, its gold changed to match: does the
    mechanism that read the growth, the order or the threshold read it for every metric, not only the one
    the question happened to name? (``transplant:growth|sort|threshold``; up to two metrics each.)"""
    metrics = [str(m) for m in want.get("metrics") or ()]
    metric_filters = [f["metric_filter"] for f in want.get("filters") or () if "metric_filter" in f]
    if want.get("comparison") == "previous_period" and len(metrics) == 1 and not metric_filters:
        kind, m = "growth", metrics[0]
    elif len(metrics) == 1 and [str(o).lstrip("-") for o in want.get("order_by") or ()] == metrics:
        kind, m = "sort", metrics[0]
    elif len(metric_filters) == 1 and metrics == [str(metric_filters[0]["metric"])]:
        kind, m = "threshold", metrics[0]  # ("how many E …": which count is meant depends on the metric)
    else:
        return
    said = [
        s
        for s in spans.get("metrics", ())
        if s.target == m and q[s.start : s.end] == s.text and vocab.names(f"metric:{m}", s.text)
    ]
    if len(said) != 1 or _NOT_TRANSPLANTED.search(m):
        return
    s = said[0]
    before = q[: s.start].split()[-1:]
    touching = [f for f in spans.get("filters", ()) if f.end >= s.start - 1 and f.start <= s.end + 1]
    if touching or [w.lower() for w in before] in (["daily"], ["weekly"], ["monthly"]):
        return  # "cancelled orders", "daily actives": words of the metric's own phrase stay behind
    dims = [str(g) for g in want.get("group_by") or () if not str(g).startswith("metric_time")]
    dims += [str(f["dimension"]) for f in want.get("filters") or () if "dimension" in f]
    if kind == "threshold":
        dims += [str(g) for g in metric_filters[0].get("group_by") or ()]
    model = resolver.model
    options = sorted(
        name
        for name in model.metrics
        if name != m
        and not _NOT_TRANSPLANTED.search(name)
        and not any(i.offset_window or i.offset_to_grain for i in model.metrics[name].inputs)
        and model.metrics[name].type not in ("cumulative", "conversion")
        and model.min_grain(name) == model.min_grain(m)
        and all(resolver.reachable(name, d) for d in dims)
        and _phrase_of(name, vocab)
    )
    for new in rng.sample(options, min(2, len(options))):
        phrase = rng.choice(_phrase_of(new, vocab))
        text = q[: s.start] + phrase + q[s.end :]
        expect = {**want, "metrics": [new if x == m else x for x in metrics]}
        if kind == "sort":
            expect["order_by"] = [str(o).replace(m, new) for o in want.get("order_by") or ()]
        if kind == "threshold":
            expect["filters"] = [
                {"metric_filter": {**f["metric_filter"], "metric": new}} if "metric_filter" in f else f
                for f in want.get("filters") or ()
            ]
        yield f"transplant:{kind}", text, expect
