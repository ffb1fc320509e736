"""What the chosen source already does: a rule its own rules or description say (*covered*), a state over
history that a month-end snapshot already counts ("only active and past_due"), a rule that only says when
a snapshot is taken ("as of month end"), and the source's own exclusions (a rule keeping what it leaves
out contradicts it).
"""

from __future__ import annotations

import re

from metricmind.define.proposal import RuleReading
from metricmind.define.rulecues import CONVERT, COVERED_NEGATIVE, EQUIVALENT, LIVE_RULE, NEGATIVE
from metricmind.define.rulevalues import RULE_GLUE, Context, Read, predicate_for, values_of
from metricmind.define.words import GLUE, POINT_IN_TIME, content, known, stems
from metricmind.spec.names import SEP


def is_live(value: str, ctx: Context) -> bool:
    """``value`` of a status is one the snapshot source itself says it counts: its words are in the
    source's own rules or description ("Counts active and past-due paid subscriptions": active, past_due),
    so "only active and past_due" restates it. A state the source does not name ("trialing" on `mrr`,
    "open" on another project's snapshot) is not assumed live.
    """
    said = {w for text in ctx.covering for w in content(text.replace("-", " "))}
    words = content(value.replace("_", " ").replace("-", " "))
    return bool(words) and set(words) <= said


_POINT = re.compile(rf"\b({POINT_IN_TIME}|at month end)\b", re.IGNORECASE)


def only_point_in_time(low: str) -> bool:
    """The rule says only when the value is taken ("as of month end", "at the end of each month")."""
    rest = _POINT.sub(" ", low)
    return rest != low and not [w for w in content(rest) if w not in ("month", "end", "value", "measured")]


def live_rule(text: str, low: str, words: tuple[str, ...], ctx: Context) -> Read | None:
    """On a month-end snapshot, a rule saying that a row counts when it is live on the month's last day
    (by its start and end, not today's status) says what the snapshot already counts: covered.
    """
    if not ctx.snapshot or not LIVE_RULE.search(low):
        return None
    found, _ = values_of(words, ctx)
    if any(d.rsplit(SEP, 1)[-1] != "status" for d, _ in found):
        return None
    return Read(
        RuleReading(
            text,
            "covered",
            0.8,
            "a state over history: the snapshot counts what is live on each month's last day (by its start "
            "and end dates), not today's status",
        )
    )


def live_states(found: list[tuple[str, str]], ctx: Context, negative: bool) -> bool:
    """The rule keeps live states of a status ("only active and past_due") and the source is a snapshot."""
    return (
        bool(found)
        and ctx.snapshot
        and not negative
        and all(d.rsplit(SEP, 1)[-1] == "status" and is_live(v, ctx) for d, v in found)
    )


def source_excludes(key: tuple[str, ...], ctx: Context) -> str | None:
    """The source's own rule clause that leaves out what ``key`` names ("trials and ended contracts are
    excluded" for "trial"), read clause by clause so "counts active …; trials … are excluded" keeps active.
    """
    want = {_root(w) for w in key}
    for text in _told(ctx):
        for clause in re.split(r"[;.]|,\s*(?:but|and)\b", text):
            if not (NEGATIVE.search(clause) or COVERED_NEGATIVE.search(clause)):
                continue
            if want <= {_root(w) for w in content(clause)}:
                return clause.strip()
    return None


def source_denies(dim: str, ctx: Context) -> str | None:
    """The source's own clause that calls its rows by a word of a yes/no flag's "no" ("Number of paying
    customers" of `active_customers`, where the project says "paying" is ``is_trial = false``): a filter
    keeping the flag's "yes" (trials) then keeps what the source says it is not.
    """
    flag = next((f for f in ctx.flags if f.name == dim), None)
    if flag is None or not flag.negated:
        return None
    for text in _told(ctx):
        for clause in re.split(r"[;.]|,\s*(?:but|and)\b", text):
            if NEGATIVE.search(clause) or COVERED_NEGATIVE.search(clause):
                continue
            words = stems(clause.lower().replace("-", " ").replace("_", " "))
            if any(_has(words, phrase) for phrase in flag.negated):
                return clause.strip()
    return None


def _told(ctx: Context) -> list[str]:
    """The source's own texts: the rules it covers with, and its and its inputs' texts (a derived or ratio
    metric counts its inputs' rows), each once.
    """
    return list(dict.fromkeys([*ctx.covering, *ctx.sources]))


def keeps_yes(values: tuple[str, ...], negative: bool) -> bool:
    """A filter on a yes/no flag that keeps its "yes" (``= true``, or dropping ``false``)."""
    return values == (("false",) if negative else ("true",))


def yes_kept(read: Read, dim: str) -> bool:
    """A filter of several dimensions keeps the "yes" of the flag ``dim`` (its predicate says ``= true``)."""
    return predicate_for(dim, ("true",), False) in (read.reading.predicate or "")


def only_keeps(read: Read) -> bool:
    """A filter of several dimensions that only keeps values (each ``= value`` or ``in (…)``, a flag's
    ``= true``): every value it names is one the metric's rows must have.
    """
    predicate = read.reading.predicate or ""
    return not read.negative and not any(w in predicate for w in (" != ", " not in ", "= false", " is null"))


def _has(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return n > 0 and any(words[i : i + n] == phrase for i in range(len(words) - n + 1))


def _root(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def covered_by(words: tuple[str, ...], covering: list[str], negative: bool) -> str | None:
    """The source's own rule (or description) that says the same, with the same polarity."""
    want = {w for w in words if w not in GLUE and w not in RULE_GLUE}
    if len(want) < 2:
        return None
    for text in covering:
        if bool(NEGATIVE.search(text) or COVERED_NEGATIVE.search(text)) != negative:
            continue
        have = set(content(text))
        if len(want & have) / len(want) >= 0.75:
            return text
    return None


def covered_together(words: tuple[str, ...], covering: list[str], negative: bool) -> list[str]:
    """The source's own texts that together say the rule ("linear model: each touch in a converting journey
    gets an equal share" against `linear_attributed_new_mrr`'s definition and rules): at least three of
    its words and two thirds of them are theirs, with the same polarity. Empty when they do not. A
    reading a person checks (the words left may say what the source does not).
    """
    want = {w for w in words if w not in GLUE and w not in RULE_GLUE}
    texts = [t for t in covering if bool(NEGATIVE.search(t) or COVERED_NEGATIVE.search(t)) == negative]
    said = {t: set(content(t)) for t in texts}
    have = set().union(*said.values()) if said else set()
    hit = {w for w in want if known(w, frozenset(have)) or any(known(h, frozenset({w})) for h in have)}
    if len(hit) < 3 or len(hit) / max(len(want), 1) < 2 / 3:
        return []
    return [t for t in texts if said[t] & hit]


def conversion_words(low: str, said: str, ctx: Context, own: set[str]) -> list[str]:
    """The words of a conversion rule ``low`` that the source's own conversion ``said`` does not say,
    besides the conversion's cue words and the words naming the source itself (``own``, its metric's
    name): "annual contracts as monthly" against "annual … contracts count as monthly equivalents" has
    none; "convert MRR to EUR at the exchange rate" has 'eur', 'exchange'.
    """
    have = {_root(w) for w in content(said)}
    mine = {_root(w) for w in (*own, *content(ctx.own_name))}
    rest = content(CONVERT.sub(" ", EQUIVALENT.sub(" ", low)).replace("-", " "))
    return list(dict.fromkeys(w for w in rest if _root(w) not in have and _root(w) not in mine))


#: How ``contradicts`` begins when a rule drops the very thing the metric counts.
DROPS_OWN = "the metric counts "


def drops_own(read: Read, keys: list[tuple[int, tuple[str, ...]]], own_name: str) -> str | None:
    """A yes/no filter that drops what the closest metric's own name counts ("never trials" on
    `trial_starts`): nothing would be left, a contradiction (``DROPS_OWN`` + the word).
    """
    if set(read.values) not in ({"true"}, {"false"}) or not own_name:
        return None
    drops_yes = read.negative == (set(read.values) == {"true"})
    own = {w.rstrip("s") for w in stems(own_name.replace("_", " ")) if len(w) > 2}
    for _, key in keys if drops_yes else ():
        said = {w.rstrip("s") for w in key if len(w) > 2}
        if said and said <= own:
            return f"{DROPS_OWN}{' '.join(key)}: `{own_name}`"
    return None
