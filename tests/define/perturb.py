"""Metamorphic variants of the Define agent's answerable dev cases (``bench/define_perturb.py``, ``test_perturb.py``).

Every answerable case of the development files (``bench/define.py`` ``DEV_FILES``; never a ``blind*`` file) is
rewritten, and each variant says what its answer must be:

- **invariance** (the meaning is kept): the answer must equal the original's hand SQL, or be refused / carry an
  unread rule; a *different* number is silently wrong. Kinds: ``case:lower|upper`` (the definition's casing),
  ``reorder:rules``, ``fold:rule`` (a rule appended to the definition after a semicolon), ``split:clause`` (an
  "excluding …" / "only …" clause of the definition made a rule), ``spelling:british|american``,
  ``typo:filler`` (two letters of a word that is no catalog word and no operator word swapped),
  ``exclude:FORM`` (an exclusion rule said another way: "Excluding X", "Other than X", "Except X", …),
  ``only:FORM`` ("Only X" ↔ "X only" ↔ "Limited to X"), ``filler:lead|rule`` (a filler lead-in).
- **sensitivity** (the meaning changes in a way whose effect is knowable): the answer must differ from the
  original's number, or be refused / unread; the *same* number means the change was ignored (silently
  wrong). Kinds: ``swap:value`` (a value of a rule or the definition swapped for another value of the same
  dimension; the hand SQL's literal is swapped too, so the answer must equal the *derived* SQL),
  ``negate:rule`` ("Exclude X" ↔ "Only X"), ``extra:only`` (a rule keeping one value of a dimension of the
  measure's own table the case does not filter), ``agg:average|total`` ("total" ↔ "average"),
  ``time:flow|snapshot`` (a value at month end ↔ what was added during the month).

- **one rule at a time** (``perturb_rules.py``): ``negate:postfix|excl|clause``, ``drop:rule|clause`` (a
  sensitivity variant naming what it ``dropped``), ``paraphrase:FORM`` and ``date:FORM`` (invariance).

Deterministic: each case's choices come from ``random.Random(f"{seed}:{id}:{kind}")``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from metricmind.define import Definition
from metricmind.spec.model import Model
from tests.define import perturb_rules

INVARIANCE = "invariance"
SENSITIVITY = "sensitivity"


@dataclass(frozen=True)
class Variant:
    """One rewritten case: ``definition`` is what the agent reads; ``sql`` the hand SQL its answer must equal
    (the original's for invariance, the derived one for a swapped value, ``None`` when only "differs" is
    knowable); ``baseline`` the original's hand SQL (a sensitivity answer equal to it ignored the change)."""

    case_id: str
    family: str
    kind: str
    definition: Definition
    original: Definition
    sql: str | None
    baseline: str
    dropped: str = ""  # a ``drop:`` variant's rule or clause left out (``perturb_rules.drops``)


#: Words that carry the computation: never the target of a typo.
OPERATORS = frozenset(
    """total totals sum average mean median count counts counted number distinct unique only exclude excluding
    except without other than not never no none per each every divided share percent percentage rate ratio
    minus less plus net new first last start started end ended month monthly months daily annual active live
    paid paying unpaid trial trials between before after within above below over under least most more
    maximum minimum largest smallest single dated date including include includes included""".split()
)

#: Spelling pairs (American, British).
SPELLINGS = (
    ("annualized", "annualised"),
    ("annualize", "annualise"),
    ("canceled", "cancelled"),
    ("canceling", "cancelling"),
    ("organization", "organisation"),
    ("organizations", "organisations"),
    ("normalized", "normalised"),
    ("behavior", "behaviour"),
    ("analyze", "analyse"),
    ("totaled", "totalled"),
    ("prioritized", "prioritised"),
    ("utilization", "utilisation"),
    ("center", "centre"),
)

_EXCLUDE = re.compile(
    r"^(?:exclude|excluding|leave out|not counting|don't count|do not count|ignore|omit|remove|drop|without|"
    r"except|other than|filter out)\s+(?P<rest>.+)$",
    re.I,
)
EXCLUDE_FORMS = (
    "Excluding {}",
    "Other than {}",
    "Except {}",
    "Leave out {}",
    "Not counting {}",
    "Don't count {}",
    "Ignore {}",
    "Omit {}",
    "Filter out {}",
)
_ONLY = re.compile(r"^(?:only|just|limited to|restricted to)\s+(?P<rest>.+)$|^(?P<rest2>.+?)\s+only$", re.I)
ONLY_FORMS = ("Only {}", "{} only", "Limited to {}", "Restricted to {}")
_VERBS = re.compile(r"^(?:count|include|consider)\b", re.I)

_SPLIT = re.compile(
    r"\s*(?:,|;|\s-|\s–|\()\s*(?P<clause>(?:excluding|except|not counting|leaving out|without|ignoring|only)\b"
    r"[^,;()]*)\)?\s*$",
    re.I,
)
#: How a rule is folded into the definition (the kind says which: ``fold:0`` a semicolon …).
FOLD_JOINERS = ("; ", ". ", ", ", " - ")
FILLER_LEADS = ("Basically, ", "Essentially, ", "Simply put, ", "In short, ")
RULE_LEADS = ("Please ", "Also, ", "Note: ")

_SNAPSHOT = re.compile(
    r"\b(?:at|as of)\s+(?:the\s+|each\s+)?(?:end\s+of\s+(?:the\s+|each\s+|every\s+)?month|month[- ]end)\b",
    re.I,
)
_FLOW = re.compile(
    r"\b(?:started|added|opened|created|signed up)\s+(?:in|during)\s+(?:the|each|a)\s+month\b", re.I
)


def _norm(text: str) -> str:
    return re.sub(r"[\s_-]+", " ", text.strip().lower())


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _low(text: str) -> str:
    """The first letter lowered unless the first word is an acronym or a value written in capitals."""
    first = text.split(" ", 1)[0]
    return text if first[1:2].isupper() else text[:1].lower() + text[1:]


class Vocabulary:
    """The catalog's words (never a typo's target) and its dimensions' values by column."""

    def __init__(self, model: Model) -> None:
        words: set[str] = set()
        self.values: dict[str, list[list[str]]] = {}
        """column (a dimension's name or expression) → the value lists of the dimensions over it."""
        self.by_model: dict[str, list[tuple[str, list[str]]]] = {}
        """table (relation name without schema) → (column, values) of its categorical dimensions."""

        def add(*texts: object) -> None:
            for t in texts:
                words.update(w for w in re.split(r"[^a-z0-9]+", str(t or "").lower()) if w)

        for name, m in model.metrics.items():
            add(name, m.label, *m.synonyms)
        for sm in model.semantic_models.values():
            add(sm.name, *(e.name for e in sm.entities), *(x.name for x in sm.measures))
            table = sm.relation.split(".")[-1].strip('"')
            for d in sm.dimensions:
                meta = d.meta or {}
                values = [str(v) for v in (meta.get("values") or ())]
                aliases = meta.get("value_aliases") or {}
                add(d.name, d.label, *(meta.get("synonyms") or ()), *values)
                for a in aliases.values():
                    add(*(a if isinstance(a, list | tuple) else [a]))
                if values and not d.is_time:
                    column = str(d.expr or d.name)
                    self.values.setdefault(column, []).append(values)
                    if column != d.name:
                        self.values.setdefault(d.name, []).append(values)
                    self.by_model.setdefault(table, []).append((column, values))
        self.words = frozenset(words)

    def key(self, word: str) -> bool:
        """True for a word that carries meaning: a catalog word, an operator or a number."""
        w = word.lower()
        return w in self.words or w.rstrip("s") in self.words or w in OPERATORS or any(c.isdigit() for c in w)


def _texts(d: Definition) -> list[str]:
    return [d.text, *d.rules]


def _with_texts(d: Definition, texts: list[str]) -> Definition:
    return Definition(d.name, texts[0], tuple(texts[1:]))


def invariants(d: Definition, vocab: Vocabulary, rng: random.Random) -> Iterator[tuple[str, Definition]]:
    """Meaning-preserving rewrites of ``d``, each with its kind."""
    yield "case:lower", replace(d, text=d.text.lower(), rules=tuple(r.lower() for r in d.rules))
    yield "case:upper", replace(d, text=d.text.upper())
    if len(d.rules) >= 2:
        yield "reorder:rules", replace(d, rules=tuple(reversed(d.rules)))
    if d.rules:
        i = rng.randrange(len(d.rules))
        rest = d.rules[:i] + d.rules[i + 1 :]
        joiner = rng.choice(FOLD_JOINERS)
        rule = d.rules[i].rstrip(". ")
        folded = f"{d.text.rstrip('. ')}{joiner}{_cap(rule) if joiner == '. ' else _low(rule)}"
        yield f"fold:{FOLD_JOINERS.index(joiner)}", replace(d, text=folded, rules=rest)
    m = _SPLIT.search(d.text)
    if m and m.start() > 0:
        yield "split:clause", replace(d, text=d.text[: m.start()], rules=(*d.rules, _cap(m.group("clause"))))
    for us, gb in SPELLINGS:
        for a, b, kind in ((us, gb, "british"), (gb, us, "american")):
            pat = re.compile(rf"\b{a}\b", re.I)
            texts = _texts(d)
            if any(pat.search(t) for t in texts):
                yield (
                    f"spelling:{kind}",
                    _with_texts(d, [pat.sub(lambda x, b=b: _case_like(x.group(0), b), t) for t in texts]),
                )
                break
    typo = _typo(d, vocab, rng)
    if typo:
        yield "typo:filler", typo
    for i, r in enumerate(d.rules):
        m = _EXCLUDE.match(r.strip())
        if m:
            form = rng.choice([f for f in EXCLUDE_FORMS if not r.lower().startswith(f[:-3].lower())])
            new = form.format(m.group("rest").rstrip("."))
            yield f"exclude:{form[:-3].lower()}", replace(d, rules=(*d.rules[:i], new, *d.rules[i + 1 :]))
            break
    for i, r in enumerate(d.rules):
        m = _ONLY.match(r.strip())
        if m and not _VERBS.match(m.group("rest") or ""):
            rest = (m.group("rest") or m.group("rest2")).rstrip(".")
            form = rng.choice([f for f in ONLY_FORMS if f.format(rest).lower() != r.strip().lower()])
            yield (
                f"only:{form.replace('{}', 'X').lower()}",
                replace(
                    d,
                    rules=(
                        *d.rules[:i],
                        _cap(form.format(_low(rest) if form[0] != "{" else rest)),
                        *d.rules[i + 1 :],
                    ),
                ),
            )
            break
    yield "filler:lead", replace(d, text=rng.choice(FILLER_LEADS) + _low(d.text))
    if d.rules:
        i = rng.randrange(len(d.rules))
        lead = rng.choice(RULE_LEADS)
        yield "filler:rule", replace(d, rules=(*d.rules[:i], lead + _low(d.rules[i]), *d.rules[i + 1 :]))


def _case_like(said: str, new: str) -> str:
    if said.isupper():
        return new.upper()
    return _cap(new) if said[:1].isupper() else new


def _typo(d: Definition, vocab: Vocabulary, rng: random.Random) -> Definition | None:
    """Two adjacent inner letters of one non-key word (five letters or more) swapped."""
    texts = _texts(d)
    spots = [
        (i, m)
        for i, t in enumerate(texts)
        for m in re.finditer(r"[A-Za-z]{5,}", t)
        if not vocab.key(m.group(0)) and not (t[max(0, m.start() - 1) : m.start()] in "_'" and m.start() > 0)
    ]
    spots = [(i, m) for i, m in spots if len(set(m.group(0)[1:-1])) > 1]
    if not spots:
        return None
    i, m = rng.choice(spots)
    w = m.group(0)
    js = [j for j in range(1, len(w) - 2) if w[j] != w[j + 1]]
    j = rng.choice(js)
    typo = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    texts[i] = texts[i][: m.start()] + typo + texts[i][m.end() :]
    return _with_texts(d, texts)


def _value_spots(texts: list[str], value: str) -> list[tuple[int, re.Match[str]]]:
    pat = re.compile(
        r"(?<![A-Za-z0-9_])"
        + r"[\s_-]".join(map(re.escape, re.split(r"[\s_-]+", value)))
        + r"(?![A-Za-z0-9_])",
        re.I,
    )
    return [(i, m) for i, t in enumerate(texts) for m in pat.finditer(t)]


def _parenthesised(text: str, at: int) -> bool:
    """True inside brackets: "mobile (iOS and Android)" lists what a group word means."""
    return text.rfind("(", 0, at) > text.rfind(")", 0, at)


def _sql_column(sql: str, value: str) -> str | None:
    """The column the hand SQL compares with the literal ``value`` (``s.plan_tier = 'Pro'``, ``in (…)``)."""
    lit = re.escape(f"'{value}'")
    m = re.search(rf"(?:\w+\.)?(\w+)\s*(?:=|<>|!=)\s*{lit}", sql) or re.search(
        rf"(?:\w+\.)?(\w+)\s+(?:not\s+)?in\s*\([^)]*{lit}", sql, re.I
    )
    return m.group(1) if m else None


def swaps(
    d: Definition, sql: str, vocab: Vocabulary, rng: random.Random
) -> Iterator[tuple[str, Definition, str]]:
    """One value said in the text and compared in the hand SQL swapped for another value of its dimension:
    the rewritten case and the hand SQL with the literal swapped."""
    texts = _texts(d)
    found: list[tuple[str, list[str]]] = []
    for lit in sorted(set(re.findall(r"'([^']+)'", sql))):
        column = _sql_column(sql, lit)
        spots = _value_spots(texts, lit)
        if not column or not spots or any(_parenthesised(texts[i], m.start()) for i, m in spots):
            continue
        pools = [vs for vs in vocab.values.get(column, []) if lit in vs]
        if not pools:
            continue
        others = sorted(
            {v for vs in pools for v in vs}
            - {lit}
            - {v for v in set().union(*pools) if _value_spots(texts, v) or f"'{v}'" in sql}
        )
        if others:
            found.append((lit, others))
    if not found:
        return
    lit, others = rng.choice(found)
    new = rng.choice(others)
    shown = (
        new.replace("_", " ")
        if "_" in new and not any("_" in m.group(0) for _, m in _value_spots(texts, lit))
        else new
    )
    out = list(texts)
    for i, m in reversed(_value_spots(texts, lit)):
        said = m.group(0)
        word = shown.lower() if said.islower() and not new.isupper() else shown
        out[i] = out[i][: m.start()] + word + out[i][m.end() :]
    yield "swap:value", _with_texts(d, out), sql.replace(f"'{lit}'", f"'{new}'")


def sensitives(
    d: Definition, sql: str, vocab: Vocabulary, rng: random.Random
) -> Iterator[tuple[str, Definition, str | None]]:
    """Meaning-changing rewrites of ``d``: kind, the rewritten case, the derived hand SQL (or ``None``)."""
    yield from swaps(d, sql, vocab, rng)
    for i, r in enumerate(d.rules):
        m = _EXCLUDE.match(r.strip())
        o = _ONLY.match(r.strip())
        if m:
            new = f"Only {m.group('rest').rstrip('.')}"
        elif o and not _VERBS.match(o.group("rest") or ""):
            new = f"Exclude {(o.group('rest') or o.group('rest2')).rstrip('.')}"
        else:
            continue
        yield "negate:rule", replace(d, rules=(*d.rules[:i], new, *d.rules[i + 1 :])), None
        break
    extra = _extra_only(d, sql, vocab, rng)
    if extra:
        yield "extra:only", replace(d, rules=(*d.rules, extra)), None
    ratio = re.search(r"\b(per|divided|ratio|share|rate|percentage|fraction)\b", d.text, re.I)
    averages = len(re.findall(r"\b(average|mean|median)\b", d.text, re.I))
    if ratio:
        pass
    elif re.search(r"\btotal\b", d.text, re.I) and not averages:
        yield (
            "agg:average",
            replace(
                d,
                text=re.sub(
                    r"\btotal\b", lambda x: _case_like(x.group(0), "average"), d.text, count=1, flags=re.I
                ),
            ),
            None,
        )
    elif averages == 1 and re.search(r"\b(average|mean)\b", d.text, re.I):
        yield (
            "agg:total",
            replace(
                d,
                text=re.sub(
                    r"\b(average|mean)\b",
                    lambda x: _case_like(x.group(0), "total"),
                    d.text,
                    count=1,
                    flags=re.I,
                ),
            ),
            None,
        )
    if _SNAPSHOT.search(d.text):
        yield "time:flow", replace(d, text=_SNAPSHOT.sub("added during the month", d.text, count=1)), None
    elif _FLOW.search(d.text):
        yield (
            "time:snapshot",
            replace(d, text=_FLOW.sub("live at the end of the month", d.text, count=1)),
            None,
        )


def _extra_only(d: Definition, sql: str, vocab: Vocabulary, rng: random.Random) -> str | None:
    """ "Only <value>" for a dimension of a table the hand SQL reads whose column it does not mention."""
    tables = set(re.findall(r"\b(?:from|join)\s+(\w+)", sql, re.I))
    said = _norm(" ".join(_texts(d)))
    options = [
        (column, v)
        for t in sorted(tables)
        for column, values in vocab.by_model.get(t, [])
        if not re.search(rf"\b{re.escape(column)}\b", sql) and len(values) >= 2
        for v in values
        if not _value_spots([said], v)
    ]
    if not options:
        return None
    _, v = rng.choice(options)
    return f"Only {v}"


def variants(cases: list[dict[str, Any]], vocab: Vocabulary, *, seed: int = 0) -> list[Variant]:
    """Every variant of the answerable ``cases`` (dev cases only), in a deterministic order."""
    out: list[Variant] = []
    for case in cases:
        expect = case.get("expect") or {}
        if not expect.get("answerable"):
            continue
        sql = str(expect["sql"])
        d = Definition(
            str(case["name"]), str(case["definition"]), tuple(str(r) for r in case.get("rules") or ())
        )
        cid = str(case["id"])
        for kind, v in invariants(d, vocab, random.Random(f"{seed}:{cid}:inv")):
            if v != d:
                out.append(Variant(cid, INVARIANCE, kind, v, d, sql, sql))
        for kind, v, derived in sensitives(d, sql, vocab, random.Random(f"{seed}:{cid}:sens")):
            if v != d:
                out.append(Variant(cid, SENSITIVITY, kind, v, d, derived, sql))
        out += _rule_variants(d, cid, sql, random.Random(f"{seed}:{cid}:rules"))
    return out


def _rule_variants(d: Definition, cid: str, sql: str, rng: random.Random) -> list[Variant]:
    """The one-rule families of ``perturb_rules``: negated, dropped, paraphrased, the date said otherwise."""
    out = [Variant(cid, SENSITIVITY, k, v, d, None, sql) for k, v in perturb_rules.negations(d) if v != d]
    out += [Variant(cid, SENSITIVITY, k, v, d, None, sql, gone) for k, v, gone in perturb_rules.drops(d)]
    for k, v in [*perturb_rules.paraphrases(d, rng), *perturb_rules.redates(d, rng)]:
        if v != d:
            out.append(Variant(cid, INVARIANCE, k, v, d, sql, sql))
    return out


def classify(
    variant: Variant,
    *,
    got: dict[Any, float] | None,
    want: dict[Any, float] | None,
    baseline: dict[Any, float],
    same: Callable[[dict[Any, float], dict[Any, float]], bool],
    flagged: bool = False,
) -> str:
    """``equal`` | ``refused`` | ``differs`` (a sensitivity answer without derived SQL that moved) |
    ``wrong`` (a number other than the one wanted) | ``ignored`` (a sensitivity answer equal to the original's).

    ``got`` is ``None`` when the agent refused; ``flagged`` when it marked a rule or itself unread (as in
    ``bench/define.py``: an unread answer that is equal counts as equal, any other as refused).
    ``same(a, b)`` says whether two month → value maps are equal (every wanted month within tolerance).
    """
    if got is None:
        return "refused"
    if variant.family == INVARIANCE:
        assert want is not None
        return "equal" if same(got, want) else "refused" if flagged else "wrong"
    if want is not None and same(got, want):
        return "equal"
    if flagged:
        return "refused"
    if same(got, baseline) and not (want is not None and same(want, baseline)):
        return "ignored"
    return "wrong" if want is not None else "differs"
