"""What the definition said must all be honoured: a value it names is applied, and every value applied was
said.

"Home loss ratio" with "incurred losses … of the home claims" and "divided by the home earned premium" read
as `loss_ratio` (every line of business), its rules "covered" as restating how the ratio computes: a
plausible wrong metric. Two checks run on every proposal, catalog-generally:

- ``flag_unhonoured``: a value of the catalog (declared, observed, an alias) that the definition or a rule
  read (covered, a filter, a time or a no-op) names as written, and that no filter or expression of the
  proposal, or of a metric or measure it reads, keeps, nor the metric's own words say, leaves that text
  unread with the value named. A value said after a negative cue ("not adjusting expense") is honoured by
  any filter on its dimension (keeping another value leaves it out).
- ``untraced``: every value the proposal's own filters and expressions compare with must trace to words of
  the input (the value's words, a declared alias or business spelling, or the nearest spelling of a word
  said); a value no word says (the home/motor swap) makes the proposal unread (``flag_untraced``).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import sqlglot
from rapidfuzz import fuzz
from sqlglot import exp

from metricmind.define.clipped import MIN_CLIPPED
from metricmind.define.confidence import flag_words
from metricmind.define.currencyrule import CODES
from metricmind.define.implied import state_words
from metricmind.define.proposal import Proposal, RuleReading
from metricmind.define.restate import metric_words, own_rules, words_of
from metricmind.define.unapplied import _applied, _homes, _kept, _named, _names
from metricmind.define.words import lexicon, stems
from metricmind.spec.joingraph import JoinGraph
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

#: Confidence of a proposal that leaves a value said unapplied, or applies one nobody said.
UNHONOURED = 0.3
#: Statuses of a rule reading whose values are checked (an unread rule already says it is not read).
_CHECKED = frozenset({"covered", "filter", "time"})  # a no-op keeps every row: its values all count
#: A negative cue of a text naming a value ("not adjusting expense", "excluding home"): any filter on its dimension
#: that keeps another value leaves it out.
_NEGATIVE = re.compile(
    r"\b(not|no|non|without|except\w*|exclud\w*|other than|never|ignor\w*|leav\w* out|left out|minus|"
    r"rather than|instead of|but not|drop\w*|remov\w*)\b|n't\b",
    re.IGNORECASE,
)
#: How a rule read as restating the metric's arithmetic is explained (``restate.cover_restating``).
RESTATES = "restates how the metric computes"
#: The prefix of a reading of the definition's own text.
DEFINITION = "(in the definition) "
#: Literals a filter compares with that name no value ("true", dates, numbers).
_PLAIN = re.compile(r"^(true|false|null|-?[\d.,:\s-]+)$", re.IGNORECASE)
#: Words saying a group of values by a word they share ("all the app channels").
_GROUP = re.compile(r"\b(all|every|any|both|each)\b", re.IGNORECASE)
#: How the name of a yes/no flag begins.
_FLAG = ("is_", "has_", "was_")
#: Least similarity of a said word to a value it is read as (a near miss: "e-bike" of `ebike`).
NEAR = 86.0


def flag_unhonoured(proposal: Proposal, model: Model) -> None:
    """Mark unread each text of the input that names a value nothing the proposal reads keeps."""
    if proposal.metric is None or proposal.refused:
        return
    blob, own = _applied(proposal, model)
    blob += _deep(model, _names([proposal.metric, proposal.new_metrics]))  # a ratio's parts' filters
    names = [
        n for n in _names([proposal.metric, proposal.new_metrics]) if n in model.metrics
    ]  # the catalog's
    homes = _homes(proposal, model)
    own |= flag_words(model, proposal.rules) | metric_words(model, names) | _row_words(model, homes)
    if proposal.new_model is not None:  # a model of its own: the datasets it reads name its rows
        own |= words_of([*proposal.new_model.refs, str(proposal.new_model.semantic_model.get("name") or "")])
    rules_own = own | words_of(own_rules(model, names))  # "ARR = MRR x 12, trials excluded" of `arr`
    states = state_words(model)
    reached = _reached(model, homes)
    readings = list(proposal.rules)
    texts: list[tuple[int | None, str]] = [(None, proposal.definition.text)]
    texts += [(i, r.text) for i, r in enumerate(readings) if _checked(r)]
    if any(r.status == "unread" and r.text == DEFINITION + proposal.definition.text for r in readings):
        texts = texts[1:]  # the definition is already unread
    changed = False
    for at, text in texts:
        restating = at is not None and readings[at].status == "covered"
        missing = _missing(model, text, blob, rules_own if restating else own, states, reached)
        if not missing:
            continue
        named = ", ".join(f"{said!r} ({dim} = {value})" for said, dim, value in missing)
        why = f"names {named}, which no filter of the metric applies: add it, or confirm it is not meant"
        if at is None:
            readings.append(RuleReading(DEFINITION + text, "unread", 0.0, f"the definition {why}"))
        else:
            readings[at] = replace(readings[at], status="unread", confidence=0.0, reason=f"the rule {why}")
        proposal.doubts.append(f"{text!r} {why}")
        changed = True
    if changed:
        proposal.rules = readings
        proposal.confidence = min(proposal.confidence, UNHONOURED)


def _row_words(model: Model, homes: set[str]) -> set[str]:
    """Words naming the rows the metric counts: its semantic models' and their entities' names ("product
    event" of `events` is the rows, not the acquisition channel `events`).
    """
    texts = [h for h in homes]
    texts += [e.name for h in homes if h in model.semantic_models for e in model.semantic_models[h].entities]
    return words_of(texts) | set(stems(" ".join(texts).replace("_", " ")))


def _checked(r: RuleReading) -> bool:
    """A rule reading whose values are checked: a filter, a time, or covered as restating the metric's
    arithmetic (a rule the source covers by its own construction, quoted, is the source's word).
    """
    if r.text.startswith("(") or r.status not in _CHECKED:
        return False
    return r.status != "covered" or r.reason.startswith(RESTATES)


def _missing(
    model: Model, text: str, blob: str, own: set[str], states: frozenset[str], reached: set[str] | None
) -> list[tuple[str, str, str]]:
    """(phrase, dimension, value) for each value ``text`` names, on a dimension the metric's rows reach,
    that the proposal applies nowhere.
    """
    out: list[tuple[str, str, str]] = []
    for said, pairs in _named(model, text):
        pairs = [(d, v) for d, v in pairs if reached is None or _tail(d) in reached]
        if not pairs or set(said.split()) <= states:
            continue  # a value of rows the metric never reaches ("check" of payments), or a state word
        if any(_kept(dim, value, blob, own) for dim, value in pairs):
            continue
        if any(_grouped(model, dim, value, blob) for dim, value in pairs):
            continue  # `is_renewed` kept for "renewed"; `channel_group` described by "call centre"
        if _NEGATIVE.search(text) and any(_filtered(dim, blob) for dim, _ in pairs):
            continue  # "not adjusting expense" of a filter keeping indemnity only
        out.append((said, *pairs[0]))
    return out + _flags(model, text, blob, own, reached)


def _flags(
    model: Model, text: str, blob: str, own: set[str], reached: set[str] | None
) -> list[tuple[str, str, str]]:
    """(phrase, flag, "true") for each yes/no flag ``text`` names by its own name's words, said as an
    adjective ("catastrophe claims", "multi-line customers"), that no filter of the proposal reads.
    """
    lx = lexicon(model)
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    out: list[tuple[str, str, str]] = []
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            key = tuple(words[i : i + size])
            for e in lx.lookup(key):
                dim, _, value = e.target.partition("=")
                flag = dim.rsplit(SEP, 1)[-1]
                if e.kind != "value" or value not in ("true", "false") or not flag.startswith(_FLAG):
                    continue
                named = set(stems(flag.split("_", 1)[1].replace("_", " ")))
                if not set(key) <= named or (reached is not None and _tail(dim) not in reached):
                    continue  # said by another word than its name, or of rows the metric never reaches
                if _filtered(dim, blob) or named <= own or any(dim == d for _, d, _ in out):
                    continue
                out.append((" ".join(key), dim, value))
    return out


def _filtered(dim: str, blob: str) -> bool:
    """A filter of ``blob`` reads the dimension ``dim`` (``entity__name``) or its column."""
    name = dim.rsplit(SEP, 1)[-1].lower()
    return re.search(rf"\b{re.escape(name)}\b", blob) is not None or f"__{name}'" in blob


def _grouped(model: Model, dim: str, value: str, blob: str) -> bool:
    """Another dimension the proposal filters on says ``value`` in its name or description (the flag
    `is_renewed` of "renewed", `channel_group` "direct (our website, call centre, …)" of "call centre").
    """
    words = {_single(w) for w in stems(value.lower().replace("_", " ").replace("-", " "))}
    if not words:
        return False
    for sm, d in model.iter_dimensions():
        if f"{sm.primary}{SEP}{d.name}" == _tail(dim) or not _filtered(f"x{SEP}{d.name}", blob):
            continue
        said = stems(f"{d.name} {d.description or ''}".lower().replace("_", " ").replace("-", " "))
        if words <= {_single(w) for w in said}:
            return True
    return False


def _single(word: str) -> str:
    """``word`` without a plural s ("walk-ins": walk in)."""
    return word[:-1] if word.endswith("s") and len(word) > 2 else word


def _tail(dim: str) -> str:
    """``entity__name`` of a dimension named along a path (``agent__agency__agency_tier``)."""
    return SEP.join(dim.split(SEP)[-2:])


def _reached(model: Model, homes: set[str]) -> set[str] | None:
    """The dimensions (``entity__name``) the semantic models ``homes`` hold or reach (None: not known)."""
    if not homes:
        return None
    graph = JoinGraph(model, max_hops=4)
    out: set[str] = set()
    for h in homes:
        sm = model.semantic_models.get(h)
        if sm is None:
            return None
        out |= {f"{sm.primary}{SEP}{d.name}" for d in sm.dimensions if sm.primary}
        out |= {_tail(n) for n in graph.reachable_names(h)}
    return out


def _deep(model: Model, names: list[str]) -> str:
    """The filters and measure expressions of the metrics ``names`` and of every metric they read, lower
    case (a ratio's numerator keeps `renewed`).
    """
    return " ".join(_catalog_texts(model, names)).lower()


def _catalog_texts(model: Model, names: list[str], depth: int = 4) -> list[str]:
    """The filters and measure expressions of the catalog's metrics ``names`` and of those they read."""
    out: list[str] = []
    seen: set[str] = set()
    todo = list(names)
    while todo and depth:
        depth -= 1
        nxt: list[str] = []
        for name in todo:
            m = model.metrics.get(name)
            if m is None or name in seen:
                continue
            seen.add(name)
            out += [str(w) for w in m.filter]
            for mi in (m.numerator, m.denominator, *m.inputs):
                if mi is not None:
                    out += [str(w) for w in mi.filter]
                    nxt.append(mi.name)
            for measure in model.measures_of(name):
                ms = model.measures.get(measure)
                if ms is not None:
                    out.append(ms.expr or "")
        todo = nxt
    return out


def untraced(proposal: Proposal, model: Model) -> list[str]:
    """The values the proposal's own filters and expressions compare with that no word of the input says
    (its name, definition and rules): each as ``'value'``.
    """
    if proposal.metric is None:
        return []
    literals = _literals([proposal.metric, proposal.new_metrics, [m.measure for m in proposal.new_measures]])
    if proposal.new_model is not None:
        literals |= _literals([proposal.new_model.sql])
    # the catalog's own filters of a metric the proposal reuses (`churned_customers`: status = 'canceled')
    # were chosen with the metric, by its name; only what the proposal adds must be said
    reused = {
        v.lower() for v in _literals(_catalog_texts(model, _names([proposal.metric, proposal.new_metrics])))
    }
    literals = {v for v in literals if v.lower() not in reused}
    if not literals:
        return []
    d = proposal.definition
    texts = [d.text, *d.rules, d.name.replace("_", " ")]
    said = _said_values(model, texts)
    grams = _grams(texts)
    # a currency said as a word keeps its code ("charged in euros": EUR, ``currencyrule``)
    said |= {
        code.lower() for word, code in CODES.items() if _flat(word) in grams or f"{_flat(word)}s" in grams
    }
    initials = _initials(texts)
    grouped = any(_GROUP.search(t) for t in texts)
    return sorted(f"'{v}'" for v in literals if not _traced(v, said, grams, initials, grouped))


def flag_untraced(proposal: Proposal, model: Model) -> None:
    """Mark the proposal unread when it applies a value no word of the input says (never a silent swap)."""
    if proposal.refused:
        return
    values = untraced(proposal, model)
    if not values:
        return
    why = (
        f"the metric applies {', '.join(values)}, which no word of the definition or its rules says: "
        "check the value it should keep"
    )
    proposal.rules.append(RuleReading(DEFINITION + proposal.definition.text, "unread", 0.0, why))
    proposal.confidence = min(proposal.confidence, UNHONOURED)
    proposal.doubts.append(why)


def _literals(parts: list[Any]) -> set[str]:
    """The text literals a filter, expression or model SQL of ``parts`` compares with (``=``, ``<>``,
    ``in``, ``like``; dates, numbers and yes/no left out).
    """
    out: set[str] = set()
    for text in _strings(parts):
        if "'" not in text:
            continue
        text = re.sub(r"\{\{\s*\w+\(\s*'(\w+)'[^}]*\}\}", r"\1", text)  # `{{ Dimension('x__y') }}`: a column
        try:
            trees = [t for t in sqlglot.parse(text, read="duckdb") if t is not None]
        except sqlglot.errors.SqlglotError:
            continue  # not SQL: no comparison to read
        for tree in trees:
            for node in tree.find_all(exp.EQ, exp.NEQ, exp.In, exp.Like, exp.ILike):
                for lit in node.iter_expressions():
                    for one in lit.expressions if isinstance(lit, exp.Tuple) else [lit]:
                        if isinstance(one, exp.Literal) and one.is_string:
                            v = one.this
                            if v and not _PLAIN.match(v) and not re.fullmatch(r"\d{4}-\d\d(-\d\d)?.*", v):
                                out.add(v)
    return out


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [
            s for k, v in node.items() if k not in ("description", "label", "config") for s in _strings(v)
        ]
    if isinstance(node, list | tuple):
        return [s for v in node for s in _strings(v)]
    return []


def _flat(text: str) -> str:
    return re.sub(r"[\s_\-./]+", "", text.lower())


def _grams(texts: list[str]) -> set[str]:
    """Every run of one to four words of ``texts``, flattened (no spaces, underscores or hyphens)."""
    out: set[str] = set()
    for t in texts:
        words = re.findall(r"[a-z0-9]+(?:['.][a-z0-9]+)*", t.lower().replace("_", " "))
        for size in range(1, 5):
            for i in range(len(words) - size + 1):
                out.add("".join(words[i : i + size]))
    return out


def _initials(texts: list[str]) -> set[str]:
    """The initials of every run of two to four words of ``texts`` ("days past due": dpd)."""
    out: set[str] = set()
    for t in texts:
        words = re.findall(r"[a-z]+", t.lower())
        for size in range(2, 5):
            out |= {"".join(w[0] for w in words[i : i + size]) for i in range(len(words) - size + 1)}
    return out


def _said_values(model: Model, texts: list[str]) -> set[str]:
    """The values (lower case) the lexicon reads from any run of words of ``texts`` (aliases, business
    spellings, observed values).
    """
    lx = lexicon(model)
    out: set[str] = set()
    for t in texts:
        words = stems(t.lower().replace("-", " ").replace("_", " "))
        for size in range(1, 4):
            for i in range(len(words) - size + 1):
                for e in lx.lookup(tuple(words[i : i + size])):
                    if e.kind == "value":
                        out |= {v.lower() for v in e.target.partition("=")[2].split("|")}
    return out


def _traced(value: str, said: set[str], grams: set[str], initials: set[str], grouped: bool = False) -> bool:
    """``value`` is said: read by the lexicon from the input, its words said, or a near spelling said."""
    if value.lower() in said:
        return True
    flat = _flat(value)
    if not flat or flat in grams or flat.rstrip("s") in grams or f"{flat}s" in grams:
        return True
    one_word = value.isalpha()
    if one_word and any(len(g) >= MIN_CLIPPED and g.isalpha() and flat.startswith(g) for g in grams):
        return True  # a one-word value said clipped ("physio" clinics: `physiotherapy`, read whole by ``clipped``)
    if len(flat) >= 4 and any(abs(len(g) - len(flat)) <= 2 and fuzz.ratio(g, flat) >= NEAR for g in grams):
        return True
    tokens = [t for t in re.split(r"[\s_\-./]+", value.lower()) if t]
    if grouped and any(len(t) > 1 and t in grams for t in tokens):
        return True  # "all the app channels": `android_app`, `ios_app`, named by the word they share
    # a bucket of a number said ("30 or more days past due": `dpd_30_59`): its words said or their
    # initials, and a number said
    words = [t for t in tokens if not t.isdigit()]
    return (
        len(words) < len(tokens)
        and any(g.isdigit() for g in grams)
        and all(w in grams or w in initials for w in words)
    )
