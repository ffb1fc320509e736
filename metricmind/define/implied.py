"""Values the definition itself names ("MRR from annual plans", "events on web, other than alerts",
"invoices paid late") read as filters, with their polarity, when no rule speaks of their dimension.

The definition is split into clauses (commas, semicolons, dashes, brackets); in each clause the values
after a negative cue ("except", "other than", "not", "everything but", "leaving out") are dropped and the
values before it kept. Values of the catalog's dimensions and yes/no flags are found with the resolver's
lexicon (``rules.values_in``). A word that names the metric itself ("monthly recurring revenue", "paying
customers", "new customers") or a state the metric already means ("active", "lost", "overdue") is no
filter. Each reading is marked as coming from the definition and carries a lower confidence than a rule:
the person confirms it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from metricmind.define import rules as rulebook
from metricmind.define.flagclash import flag_against
from metricmind.define.groupdefs import ungrouped
from metricmind.define.nearer import nearer
from metricmind.define.proposal import RuleReading
from metricmind.define.rulecues import CONVERT
from metricmind.define.rulevalues import find_dimension
from metricmind.define.words import GLUE, observed, stems, without_examples
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

#: English words that describe a state or a period a metric already means, never a filter on their own
#: (adjectives of a lifecycle, not any project's values; the project's own are added by ``state_words``).
_STATES = """
    active paying new lost churn churned cancel canceled cancelled closed won converted overdue late unpaid
    open expired lapsed month monthly year yearly other unknown growth existing current live
    """.split()
STATE_WORDS = frozenset(_STATES) | frozenset(s for w in _STATES for s in stems(w))
_PROJECT_STATES: dict[int, tuple[Model, frozenset[str]]] = {}


def state_words(model: Model) -> frozenset[str]:
    """``STATE_WORDS`` and the project's own: a word of a metric's name that is a value of a categorical
    dimension the metric neither filters on nor computes from ("churned" of `churned_customers`, which
    counts by the customer's movement, not by today's ``lifecycle_stage``). A metric that filters on its
    word ("completed" of `completed_gmv`: ``order_status = 'completed'``) makes it a filter word instead.
    """
    hit = _PROJECT_STATES.get(id(model))
    if hit is not None and hit[0] is model:
        return hit[1]
    values: set[str] = set()
    for sm in model.semantic_models.values():
        for d in sm.dimensions:
            if d.type != "categorical" or d.name.startswith(("is_", "has_", "was_")):
                continue
            for v in [*(d.meta.get("values") or ()), *observed(model).get(f"{sm.primary}{SEP}{d.name}", [])]:
                if str(v).lower() not in ("true", "false"):
                    values.update(stems(str(v).lower().replace("_", " ").replace("-", " ")))
    filtering: set[str] = set()
    named: set[str] = set()
    entities = {e.name for sm in model.semantic_models.values() for e in sm.entities}
    for m in model.metrics.values():
        sql = [w.sql for w in m.filter] + [w.sql for w in (m.measure.filter if m.measure else ())]
        sql += [str(model.measures[n].expr) for n in model.measures_of(m.name) if n in model.measures]
        words = {
            s
            for s in stems(m.name.replace("_", " "))
            if len(s) > 2 and not s.isdigit() and s not in GLUE and s not in entities
        }
        said = set(stems(" ".join(sql).lower().replace("_", " ")))
        filtering |= words & said
        named |= words - said
    found = STATE_WORDS | frozenset((named & values) - filtering)
    if len(_PROJECT_STATES) > 16:
        _PROJECT_STATES.clear()
    _PROJECT_STATES[id(model)] = (model, found)
    return found


#: What follows a negation that says which category the words before it are not in ("… don't count as
#: paying", "… are not considered revenue"): the category, never a value dropped.
COUNTED_AS = re.compile(r"^\s*(?:as\b|(?:be\s+)?(?:counted|considered|treated|regarded)\b)", re.I)

#: A conjunction or a relative pronoun (and an auxiliary) right before a negation: the negation starts a
#: clause of its own ("… through credit karma who have not defaulted": credit karma is kept).
_JOINED = re.compile(
    r"\b(?:and|but|or|who|that|which|whose)\s+(?:(?:has|have|had|is|are|was|were|who|that|which|did|does|do)\s+)*$"
)

#: Confidence of a filter read from the definition's own words (a rule says it more surely).
IMPLIED = 0.75
_CLAUSES = re.compile(r"[,;:()]|\s[-–—]\s")


def implied(
    text: str,
    ctx: rulebook.Context,
    *,
    ruled: set[str],
    ruled_values: set[str],
    own: set[str],
    rules: list[rulebook.Read] | None = None,
    counted: str = "",
) -> list[rulebook.Read]:
    """The filters ``text`` (a definition) implies, one ``Read`` per dimension not in ``ruled``.

    Args:
        text: The definition.
        ctx: The context its rules are read against (the source's reachable dimensions and flags).
        ruled: Dimensions a rule already reads (the rule wins).
        ruled_values: Values a rule already reads (on a conformed dimension).
        own: Stems that name the metric itself (its name, label, synonyms, column, entity counted).
        rules: The rules as read: a value the definition names on a dimension a rule keeps otherwise
            ("MRR from Enterprise customers" with "SMB only") is a contradiction, never dropped quietly.
        counted: The entity a new count counts, dated by a date the definition names: a state word said
            beside it that is a value of its own dimension ("canceled subscriptions, by end date":
            ``subscription__status``) names that value, the rows' own state on the date said.
    """
    text = without_examples(text)  # "(e.g. budget cuts)" illustrates; it filters nothing
    keep: dict[str, list[str]] = {}
    drop: dict[str, list[str]] = {}
    said: dict[str, list[str]] = {}
    whole = stems(text.lower().replace("-", " ").replace("_", " "))
    flagged = {f.name for f in ctx.flags if rulebook.names_flag(whole, f)}  # "trials … paid"
    doubt: dict[str, str] = {}  # dimension → why its value may not be the one meant
    against_keep: dict[str, set[str]] = {}  # values of a ruled dimension the definition keeps
    against_drop: dict[str, set[str]] = {}
    yes_said: dict[str, set[bool]] = {}  # a ruled flag the definition keeps yes (True) or no (False) of
    for clause in _CLAUSES.split(ungrouped(text, lambda t: _named(t, ctx))):  # "green (e-vans only)"
        if not clause.strip() or converts(clause, ctx):
            continue
        cue = rulebook.NEGATIVE.search(rulebook.negated_values(clause, ctx.lexicon))  # "was not home"
        halves = (
            [(clause, False)]
            if cue is None
            else [(clause[: cue.start()], False), (clause[cue.start() :], True)]
        )
        joined = _JOINED.search(clause[: cue.start()]) if cue is not None else None
        if cue is not None and joined is not None and joined.start() > 0:
            # "signed up through paid social and have never paid": the "never" is the second verb's
            halves = [(clause[: joined.start()], False), (clause[joined.start() :], True)]
        elif cue is not None and not rulebook.values_in(clause[cue.end() :], ctx)[0]:
            halves = [(clause, True)]  # "trials excluded", "refunds not counted": the negation comes after
        elif cue is not None and cue.start() > 0 and COUNTED_AS.match(clause[cue.end() :]):
            halves = [(clause[: cue.start()], True)]  # "trials don't count as paying": trials dropped
        for half, negative in halves:
            found, _ = rulebook.values_in(half, ctx)
            words, keys = ctx.said, list(ctx.keys)
            for dim, _ in found:
                other = rulebook.renamed(half, [f for f in found if f[0] == dim], _keyed(ctx, found, dim))
                if other and dim not in doubt:
                    doubt[dim] = other
            for (dim, value), key in zip(found, (k for _, k in keys), strict=True):
                loose = nearer(ctx.model, dim, value, tuple(key))
                if loose and dim not in doubt:  # "Webinar": an alias of `events`; `webinar_series` says it
                    doubt[dim] = loose
            for (dim, value), (at, key) in zip(found, keys, strict=True):
                if (
                    _generic(value, dim, key, own, ctx)
                    and not _pinned(half, words, at, key, dim, value)
                    and not _own_state(words, at, key, dim, value, counted)
                ):
                    if not _caused(half, key):
                        continue
                    if not _reasons(dim, ctx):  # "cancelled due to other" read on a non-reason dimension
                        return [_unread(text, f"{_spoken(half, key)!r} after a cause names no reason value")]
                if dim in ruled and value not in ("true", "false"):
                    (against_drop if negative else against_keep).setdefault(dim, set()).add(value)
                elif dim in ruled and not (len(key) == 1 and _manner(words, at + 1)):
                    yes_said.setdefault(dim, set()).add(negative == (value == "false"))
                if _ruled(dim, ruled) or value in ruled_values:
                    continue
                if value in ("true", "false") and len(key) == 1 and _manner(words, at + 1):
                    continue  # "paid by card", "paid with a card": how, not whether
                if value == "false" and dim in flagged:
                    continue
                if value in ("true", "false"):
                    flag_negative = negative != (value == "false")
                    target = drop if flag_negative else keep
                    if "true" not in target.get(dim, []):
                        target.setdefault(dim, []).append("true")
                else:
                    target = drop if negative else keep
                    if value not in target.get(dim, []):
                        target.setdefault(dim, []).append(value)
                said.setdefault(dim, []).append(_spoken(half, key))
                excluded = rulebook.source_excludes(key, ctx) if target is keep else None
                if not excluded and target is keep and value in ("true", "false"):
                    excluded = rulebook.source_denies(dim, ctx)  # "trial customers" of paying customers
                if excluded:  # "MRR of trials": `mrr` leaves trials out
                    return [_unread(text, f"keeps what the source itself leaves out ({excluded!r})")]
    for dim, negative, spoken in described_flags(text, ctx):
        if dim in keep or dim in drop or _ruled(dim, ruled) or (negative and dim in flagged):
            continue
        (drop if negative else keep).setdefault(dim, []).append("true")
        said.setdefault(dim, []).append(spoken)
    out: list[rulebook.Read] = []
    clash = _against(text, against_keep, against_drop, rules or []) or flag_against(
        text, yes_said, rules or []
    )
    if clash is not None:
        return [clash]
    for dim in sorted({*keep, *drop}):
        kept, dropped = keep.get(dim, []), drop.get(dim, [])
        if kept and dropped:
            return [_unread(text, f"the definition both keeps and drops values of {dim}; say it as a rule")]
        negative = bool(dropped)
        values = tuple(dropped or kept)
        predicate = rulebook.predicate_for(dim, values, negative)
        shown = ", ".join(v for v in values if v not in ("true", "false")) or dim.rsplit(SEP, 1)[-1]
        verb = "drops" if negative else "keeps only"
        out.append(
            rulebook.Read(
                RuleReading(
                    f"(in the definition) {text}",
                    "filter",
                    rulebook.RENAMED if dim in doubt else IMPLIED,
                    f"the definition says {', '.join(repr(s) for s in said[dim][:2])}: {verb} {dim} "
                    f"{'=' if len(values) == 1 else 'in'} {shown}"
                    + (f", but {doubt[dim]}" if dim in doubt else ""),
                    predicate,
                ),
                dimension=dim,
                values=values,
                negative=negative,
            )
        )
    return out


def converts(clause: str, ctx: rulebook.Context) -> bool:
    """The clause says how rows of a value are counted, not which to keep: a conversion cue after the value
    ("annual contracts count at their monthly equivalent", "annual plans as monthly"). "Monthly equivalent
    of annual contracts" names the rows after the cue: their value stays a filter.
    """
    cue = CONVERT.search(clause)
    if cue is None or re.match(r"\s+of\b", clause[cue.end() :]):
        return False
    return bool(rulebook.values_in(clause[: cue.start()], ctx)[0])


def _root(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def described_flags(text: str, ctx: rulebook.Context) -> list[tuple[str, bool, str]]:
    """(flag, negative, words said) for each yes/no flag a clause names by a word of its name that no
    other flag has and another word of its name or description ("without passing KYC" of
    ``is_kyc_verified``, described "Identity check (KYC) passed."): the flag said the project's way, its
    "no" after a negative cue. The flag's name alone in other words ("KYC") is not enough.
    """
    names: dict[str, set[str]] = {}
    described: dict[str, set[str]] = {}
    # words that name rows or states, not the flag ("first loan": loan is an entity, "new" a state)
    common = {
        _root(s) for sm in ctx.model.semantic_models.values() for e in sm.entities for s in stems(e.name)
    }
    common |= {_root(w) for w in state_words(ctx.model) | GLUE}
    for f in ctx.flags:
        tail = f.name.rsplit(SEP, 1)[-1]
        dim = find_dimension(ctx.model, f.name)
        names[f.name] = {
            _root(w) for w in stems(tail.split("_", 1)[-1].replace("_", " ")) if len(w) > 2
        } - common
        about = stems((dim.description if dim else "").lower().replace("_", " ").replace("-", " "))
        described[f.name] = {_root(w) for w in about if len(w) > 2} - common
    out: list[tuple[str, bool, str]] = []
    for clause in _CLAUSES.split(without_examples(text)):
        words = [w for w in stems(clause.lower().replace("-", " ").replace("_", " ")) if len(w) > 2]
        roots = [_root(w) for w in words]
        cue = rulebook.NEGATIVE.search(clause)
        for flag, own in names.items():
            unique = own - {w for other, ws in names.items() if other != flag for w in ws}
            hits = [r for r in roots if r in unique]
            backing = [r for r in roots if r in (own | described[flag]) and r not in hits]
            if not hits or not backing:
                continue
            spoken = " ".join(w for w, r in zip(words, roots, strict=True) if r in hits or r in backing)
            first = clause.lower().find(next(w for w, r in zip(words, roots, strict=True) if r in hits))
            out.append((flag, cue is not None and cue.start() < max(first, 0) + 1, spoken))
    return out


def _against(
    text: str, kept: dict[str, set[str]], dropped: dict[str, set[str]], rules: list[rulebook.Read]
) -> rulebook.Read | None:
    """An unread reading when the definition keeps values a rule drops, or keeps values of a dimension
    a rule keeps none of ("… from Enterprise customers" with "Only SMB").
    """
    for r in rules:
        if (
            not r.dimension
            or r.reading.status != "filter"
            or not r.values
            or set(r.values) <= {"true", "false"}
        ):
            continue
        mine = kept.get(r.dimension, set())
        # a drop of the dimension whose values the definition keeps: the drops together leave none of them
        # ("… only the events or partner channels" with "Not counting events", "Not counting partner"),
        # or leave values the definition never keeps (the rule wins over the definition's words: the filter
        # would keep every other value) — either way not the definition's rows
        if mine and (r.negative or not mine & set(r.values)):
            gone = set().union(*(o.values for o in rules if o.negative and o.dimension == r.dimension))
            left = (
                ""
                if not r.negative
                else (
                    ": together the rules leave none of them"
                    if mine <= gone
                    else f"; the rule alone keeps every other value too, not only {', '.join(sorted(mine - gone))}"
                )
            )
            return rulebook.Read(
                RuleReading(
                    f"(in the definition) {text}",
                    "unread",
                    0.0,
                    f"the definition keeps {', '.join(sorted(mine))} of {r.dimension}, but rule "
                    f"{r.reading.text!r} {'drops' if r.negative else 'keeps only'} {', '.join(r.values)}{left}",
                )
            )
        theirs = dropped.get(r.dimension, set())
        if theirs and not r.negative and set(r.values) <= theirs:
            return rulebook.Read(
                RuleReading(
                    f"(in the definition) {text}",
                    "unread",
                    0.0,
                    f"the definition leaves out {', '.join(sorted(theirs))} of {r.dimension}, but rule "
                    f"{r.reading.text!r} keeps only {', '.join(r.values)}",
                )
            )
    return None


def _keyed(ctx: rulebook.Context, found: list[tuple[str, str]], dim: str) -> rulebook.Context:
    """``ctx`` with only the keys of ``dim``'s values (aligned with them, as ``renamed`` reads them)."""
    keys = [k for (d, _), k in zip(found, ctx.keys, strict=True) if d == dim]
    return replace(ctx, keys=keys, ambiguous=list(ctx.ambiguous))


def _spoken(text: str, key: tuple[str, ...]) -> str:
    """The words of ``text`` that named a value (``key``, their stems), as written: only these are
    explained by the filter read (the rest of the clause must be explained by the metric).
    """
    words = re.findall(r"[\w'-]+", text)
    for i in range(len(words) - len(key) + 1):
        run = words[i : i + len(key)]
        if stems(" ".join(run).lower().replace("-", " ").replace("_", " ")) == key:
            return " ".join(run)
    return " ".join(key)


def _ruled(dim: str, ruled: set[str]) -> bool:
    tail = dim.rsplit(SEP, 1)[-1]
    return dim in ruled or any(r.rsplit(SEP, 1)[-1] == tail for r in ruled)


def _generic(value: str, dim: str, key: tuple[str, ...], own: set[str], ctx: rulebook.Context) -> bool:
    """A value that names the metric itself or a state it already means ("active", "paying"), or a word
    that names a dimension rather than one of its values ("feature").
    """
    if value in ("true", "false"):
        words = set(stems(dim.rsplit(SEP, 1)[-1].split("_", 1)[-1].replace("_", " ")))
    else:
        words = set(stems(value.replace("_", " ").replace("-", " ").lower()))
    said = set(key)
    if not words or words <= own or said <= own:
        return True
    states = state_words(ctx.model)
    if len(said) == 1 and (said <= states or words <= states):
        return True
    if value not in ("true", "false") and len(said) == 1 and said <= _entity_words(ctx):
        return True  # (a flag said by its entity's word, "trials": `is_trial`, is still read)
    return len(said) == 1 and said <= _dimension_words(ctx)


def _entity_words(ctx: rulebook.Context) -> set[str]:
    """The catalog's entity names said as nouns ("from referral to first appointment for urgent referrals":
    the referral rows, not a channel called referral): a value of the same word is a rule's to name.
    """
    return {
        stems(e.name.replace("_", " "))[-1]
        for sm in ctx.model.semantic_models.values()
        for e in sm.entities
        if e.name.replace("_", "").isalpha()
    }


def _pinned(half: str, words: tuple[str, ...], at: int, key: tuple[str, ...], dim: str, value: str) -> bool:
    """A state-like word that still names its value: written as the value is, capitalised in mid-sentence
    ("MRR of Growth subscriptions": the plan named Growth, not growth), or beside a word of its dimension's
    name ("monthly billed", "billed monthly", "the Growth tier").
    """
    if value in ("true", "false"):
        return False
    if re.search(rf"(?<=\w)\W+{re.escape(value)}\b", half) and value[:1].isupper():
        return True
    named = {
        _root(w) for w in stems(dim.rsplit(SEP, 1)[-1].replace("_", " ")) if len(w) > 2 and w not in GLUE
    }
    near = [*words[max(0, at - 1) : at], *words[at + len(key) : at + len(key) + 1]]
    return bool(named & {_root(w) for w in near})


def _own_state(
    words: tuple[str, ...], at: int, key: tuple[str, ...], dim: str, value: str, counted: str
) -> bool:
    """A state word written as its value, beside the counted entity whose own dimension holds it ("canceled
    subscriptions", "subscriptions cancelled": ``subscription__status = canceled``).
    """
    if not counted or not dim.startswith(f"{counted}{SEP}") or value in ("true", "false"):
        return False
    if key != stems(value.replace("_", " ").replace("-", " ").lower()):
        return False
    near = [*words[max(0, at - 1) : at], *words[at + len(key) : at + len(key) + 1]]
    return any(stems(counted.replace("_", " "))[-1:] == (w,) for w in near)


_CAUSE = re.compile(
    r"\b(?:due to|because of|owing to|on account of|caused by|for reasons? of)\s+(?:an?\s+|the\s+)?$", re.I
)


def _caused(half: str, key: tuple[str, ...]) -> bool:
    """The value's words come right after a cause ("cancelled due to other", "lost because of other"): a
    state-like word there names the reason, never a state the metric already means.
    """
    spoken = _spoken(half, key)
    at = half.lower().find(spoken.lower())
    return at > 0 and bool(_CAUSE.search(half[:at]))


def _reasons(dim: str, ctx: rulebook.Context) -> bool:
    """``dim`` holds reasons or causes (by its name or its description), what a cause phrase points to."""
    d = find_dimension(ctx.model, dim)
    about = f"{dim.rsplit(SEP, 1)[-1]} {d.description if d else ''}".lower().replace("_", " ")
    return bool(re.search(r"\b(?:reasons?|causes?|why|motives?)\b", about))


_MANNER = frozenset("by with via using through on in".split())


def _manner(words: tuple[str, ...], at: int) -> bool:
    return at < len(words) and words[at] in _MANNER


def _dimension_words(ctx: rulebook.Context) -> set[str]:
    """Head words of the catalog's dimensions' own names ("feature", "platform", "reason" of
    `cancel_reason`); a modifier ("home" of `home_state`) names no dimension and may be a value.
    """
    out: set[str] = set()
    for name in ctx.lexicon.dims:
        tail = name.rsplit(SEP, 1)[-1]
        if not tail.startswith(("is_", "was_", "has_")):
            out.update(stems(tail.replace("_", " "))[-1:])
    return out


def _unread(text: str, reason: str) -> rulebook.Read:
    return rulebook.Read(RuleReading(f"(in the definition) {text}", "unread", 0.0, reason))


def _named(text: str, ctx: rulebook.Context) -> tuple[list[tuple[str, str, tuple[str, ...]]], list[str]]:
    """(dimension, value, the words naming it) for each value ``text`` names, and the words left over."""
    found, left = rulebook.values_in(text, ctx)
    return [(d, v, key) for (d, v), (_, key) in zip(found, ctx.keys, strict=True)], left
