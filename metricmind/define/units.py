"""Units and scale said in words: "in thousands", "$K", "in $M", "per 1,000 invoices", "in hours".

A unit is how the value is *reported*, not what is computed: the analysis reads the definition and the
rules without the unit's words (``said``), and the metric it proposes is then scaled after aggregation
(``scaled``): a derived metric over it whose expression is the metric times or divided by a factor of an
allow-list (``FACTORS``; a number the person wrote never reaches SQL unless it is one of them). The
reading is named in the rules (status ``expression``) and in the metric's ``config.meta.scale``.

| said | scaling |
|---|---|
| "in thousands (of dollars)", "in $K", "($k)", "in k", "'000s", a rule "Report in $K (divide by 1,000)" | ÷ 1,000 |
| "in millions", "in $M", "in $MM", "in mm" | ÷ 1,000,000 |
| "per 1,000 invoices", "per 100 customers" (a ratio) | the ratio × 1,000 (× 100) |
| "in cents", a rule "Dollars times 100" (a money metric whose columns are in dollars) | × 100; columns already in cents (``*_cents``) are covered; a metric that is no money leaves it unread |
| "in hours", "in days", "in weeks", "in minutes" (a duration) | by the unit of the aggregated column (``days_to_pay`` is in days: "in hours" is × 24); a column whose unit is unknown leaves the rule unread |

A rule that says a scale and something else ("in $K, trials excluded") is not a unit rule: the reader
reads it as any other rule. Two different scales are refused as ``contradictory_rules``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from typing import Any

from metricmind.define.proposal import Definition, Proposal, RuleReading
from metricmind.errors import MetricmindError
from metricmind.spec.model import Model

#: Every factor a scaling may use: a number said in the text is one of these, or the unit is not read.
FACTORS = frozenset(
    {24.0, 60.0, 7.0, 100.0, 1000.0, 10_000.0, 100_000.0, 1_000_000.0, 1440.0, 3600.0, 86400.0}
)
#: The reading's confidence: a unit said plainly is read exactly.
UNIT_CONFIDENCE = 0.85

_CUR = r"(?:dollars?|euros?|pounds?|usd|eur|gbp|\$|€|£)"
#: The report-in words before a unit ("in", "as", "reported in", "shown in").
_LEAD = r"(?:(?:reported|shown|expressed|given|displayed|stated|measured|denominated)\s+)?(?:in|as)\s+"
_THOUSANDS = (
    rf"thousands?(?:\s+of\s+{_CUR})?|{_CUR}\s?k|k\s?{_CUR}|k|{_CUR}\s?(?:'000|000)s?|'000s?|000s|"
    rf"{_CUR}\s?thousands?"
)
_MILLIONS = rf"millions?(?:\s+of\s+{_CUR})?|{_CUR}\s?mm?|mm|{_CUR}\s?millions?"
_DURATIONS = r"hours?|days?|weeks?|minutes?|mins?|seconds?|secs?"
_CENTS = r"cents?|pennies|¢"
#: A unit at the end of the text, or in a parenthesis / between commas.
UNIT = re.compile(
    rf"(?:[,;:]\s*|\s+|\(\s*|\s-+\s*)(?:{_CUR}\s+)?(?P<lead>{_LEAD})?(?P<unit>(?P<k>{_THOUSANDS})|(?P<m>{_MILLIONS})|"
    rf"(?P<d>{_DURATIONS})|(?P<c>{_CENTS})|(?P<b>basis points?|bps|bp))\s*\)?(?=\s*(?:[,;.()]|$))",
    re.IGNORECASE,
)
#: A unit that cannot be another word, said inside a sentence ("New MRR in thousands for EMEA customers").
UNIT_INSIDE = re.compile(
    rf"\s+(?:reported |shown |expressed )?in (?P<unit>(?P<k>thousands(?:\s+of\s+{_CUR})?|\$\s?k)|"
    rf"(?P<m>millions(?:\s+of\s+{_CUR})?|\$\s?mm?))(?=\s+[a-z])",
    re.IGNORECASE,
)
#: "…, as a percentage", "in per cent", "(%)": the definition's own unit (never "as a percentage of …", a
#: ratio's shape, whose scale the rules or numbers say).
PERCENT_SAID = re.compile(
    r"(?:,\s*|\s+|\(\s*)(?:expressed |shown |reported |given )?(?:as an? |in )(?:percent(?:age)?s?|per ?cent|pct)"
    r"(?!\s*of\b)\s*\)?(?=\s*(?:[,;.]|$))|\s*\(\s*%\s*\)(?=\s*(?:[,;.]|$))",
    re.IGNORECASE,
)
#: "per 1,000 invoices": a ratio stated per a round number of its denominator.
PER_N = re.compile(
    r"\bper\s+(?:(?P<n>100|1,?000|10,?000|100,?000|1,?000,?000)|(?P<kn>1|10|100)k|(?:a |one )?"
    r"(?P<w>hundred|thousand|million))\s+"
    r"(?=[a-z])",
    re.IGNORECASE,
)
_WORDS = {"hundred": "100", "thousand": "1,000", "million": "1,000,000"}
#: A divisor or multiplier said in a unit rule ("divide by 1,000", "/1000", "x 24").
SAID_FACTOR = re.compile(
    r"(?:divid\w*\s+(?:it\s+|them\s+|the value\s+)?by|/|÷|multipl\w*\s+(?:it\s+|them\s+)?by|times|[x×*])\s*"
    r"(?P<n>\d[\d,]*(?:\.\d+)?)",
    re.IGNORECASE,
)
#: What else a rule that only states a unit may say.
FILLER = re.compile(
    r"\b(?:report\w*|show\w*|express\w*|give|given|display\w*|stat\w*|measur\w*|present\w*|denominat\w*|"
    r"values?|numbers?|figures?|results?|amounts?|counts?|totals?|data|metric|output|this|these|those|"
    r"the|it|them|all|in|as|of|please|scale\w*|"
    r"divid\w*|multipl\w*|by|times|units?|currency)\b|[\s,.;:()/÷×*x=-]|\d[\d,]*(?:\.\d+)?",
    re.IGNORECASE,
)
#: A definition headed by a duration ("Hours played in our racing games", "Hours of lessons watched"): the
#: value reported in that unit, of the time the rest of the definition says.
HEAD_DURATION = re.compile(
    r"^(?:total\s+|the\s+)?(?P<d>hours|minutes|days|weeks|seconds)\b(?=\s+(?:of\s+)?[a-z])", re.IGNORECASE
)
#: Seconds in each duration unit.
SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0}


@dataclass(frozen=True)
class Scale:
    """A scaling after aggregation: the value times ``factor`` (``factor`` < 1 divides)."""

    multiply: float = 1.0
    divide: float = 1.0
    what: str = ""
    duration: str | None = None  # "hour": the factor depends on the aggregated column's unit
    percent: bool = False  # "as a percentage": × 100 of a fraction; a value in percent already is covered
    cents: bool = False  # "in cents": × 100 of an amount in dollars; an amount in cents already is covered

    def expr(self, name: str) -> str:
        """The derived expression over the metric ``name``."""
        if self.divide != 1.0:
            return f"{name} / {_num(self.divide)}.0"
        return f"{_num(self.multiply)}.0 * {name}"


#: "in cents", "Dollars times 100": an amount in the currency's hundredths.
CENTS = Scale(multiply=100.0, what="in cents (× 100)", cents=True)
_CURRENCY_SAID = re.compile(rf"\b(?:{_CUR}|{_CENTS})(?=\W|$)|[$€£¢]", re.IGNORECASE)


@dataclass
class Said:
    """The definition without its unit words, the scale, and the unit rules (by their index)."""

    rest: Definition
    scale: Scale
    rules: dict[int, str] = field(default_factory=dict)  # index → the rule as written
    problem: str | None = None
    head: bool = False  # the unit heads the definition ("Hours played"): the time it says is in another unit


def _num(x: float) -> str:
    return str(int(x))


def _unit_of(m: re.Match[str]) -> Scale:
    if m.group("k"):
        return Scale(divide=1000.0, what="in thousands (÷ 1,000)")
    if m.group("m"):
        return Scale(divide=1_000_000.0, what="in millions (÷ 1,000,000)")
    if m.group("b"):
        return Scale(multiply=10_000.0, what="in basis points (× 10,000)")
    if m.group("c"):
        return CENTS
    unit = _duration(m.group("d"))
    return Scale(what=f"in {unit}s", duration=unit)


def _duration(word: str) -> str:
    w = word.lower().rstrip("s")
    return {"min": "minute", "sec": "second"}.get(w, w)


def in_text(text: str) -> tuple[str, Scale] | None:
    """``text`` without the unit it says, and that unit; None when it says none (or a number not allowed)."""
    m = UNIT.search(text) or UNIT_INSIDE.search(text)
    if m is not None:
        if (
            m.re is UNIT and (m.group("d") or m.group("c")) and not m.group("lead")
        ):  # "in hours" needs its "in": "for 30 days" is no unit
            return None
        if m.re is UNIT and (m.group("k") or "").lower() == "k" and not m.group("lead"):
            return None
        rest = re.sub(r"\s+", " ", f"{text[: m.start()]} {text[m.end() :]}")
        rest = re.sub(r"\s+([,;.)])", r"\1", rest).strip(" ,;:-")
        return rest, _unit_of(m)
    p = PER_N.search(text)
    if p is not None:
        said_n = p.group("n") or (f"{p.group('kn')},000" if p.group("kn") else _WORDS[p.group("w").lower()])
        n = float(said_n.replace(",", ""))
        if n in FACTORS:
            rest = text[: p.start()] + "per " + text[p.end() :]
            return rest, Scale(multiply=n, what=f"per {said_n} (× {said_n})")
    return None


def rule_unit(rule: str) -> Scale | None | str:
    """The scale a rule says when it says nothing else ("Report in $K (divide by 1,000)"); a string says
    why a unit rule cannot be read (its number disagrees with its unit, or is not allowed); None when the
    rule is not (only) about the unit.
    """
    found = in_text(" " + rule)
    said_n = [float(n.group("n").replace(",", "")) for n in SAID_FACTOR.finditer(rule)]
    if found is None:
        bare = _CURRENCY_SAID.sub("", rule)
        if said_n == [100.0] and bare != rule and re.search(r"multipl|times|[x×*]", rule, re.IGNORECASE):
            if not FILLER.sub("", bare).strip(" $€£¢"):  # "Dollars times 100", "multiply the dollars by 100"
                return CENTS
        if said_n and not FILLER.sub("", rule).strip():  # "Divide by 1,000" alone
            n = said_n[0]
            if n not in (1000.0, 1_000_000.0):  # "Divide by 12" says more than a unit
                return None
            return (
                Scale(divide=n, what=f"÷ {n:,.0f}")
                if re.search(r"divid|/|÷", rule, re.IGNORECASE)
                else Scale(multiply=n, what=f"× {n:,.0f}")
            )
        return None
    rest, scale = found
    if FILLER.sub("", rest).strip(" $€£k"):
        return None
    for n in said_n:
        if n not in (scale.divide, scale.multiply):
            return f"says {scale.what} but also {n:g}"
    return scale


def said(definition: Definition, heads: bool = True) -> Said | None:
    """The unit the definition and its rules say, with the text the analysis reads; None when none.
    ``heads``: a duration heading the definition ("Hours played") is a unit too.
    """
    scales: list[Scale] = []
    text = definition.text
    found = in_text(text)
    if found is not None:
        text, scale = found
        scales.append(scale)
    head = HEAD_DURATION.match(text) if found is None and heads else None
    if head is not None:  # "Hours played": the definition read as it is, then in each other unit
        unit = _duration(head.group("d"))
        scales.append(Scale(what=f"in {unit}s", duration=unit))
    if (
        found is None and head is None and not _scale_said(definition)
    ):  # "SMB logo churn rate, as a percentage"
        cut = PERCENT_SAID.search(text)
        if cut is not None:
            text = re.sub(r"\s+", " ", f"{text[: cut.start()]} {text[cut.end() :]}").strip(" ,;:-")
            scales.append(Scale(multiply=100.0, what="as a percentage (× 100)", percent=True))
    rules: dict[int, str] = {}
    problem = None
    for i, r in enumerate(definition.rules):
        got = rule_unit(r)
        if got is None and head is not None:
            got = converting(r, scales[0])
        if got is None:
            continue
        rules[i] = r
        if isinstance(got, str):
            problem = problem or f"rule {r!r} {got}"
        else:
            scales.append(got)
    if not scales and not rules:
        return None
    distinct = {(s.multiply, s.divide, s.duration) for s in scales}
    if len(distinct) > 1:
        problem = problem or "the definition and the rules say different units: " + ", ".join(
            sorted({s.what for s in scales})
        )
    rest = Definition(
        definition.name, text, tuple(r for i, r in enumerate(definition.rules) if i not in rules)
    )
    return Said(rest, scales[0] if scales else Scale(), rules, problem, head is not None)


def converting(rule: str, scale: Scale) -> Scale | None:
    """``scale`` when ``rule`` converts a duration column to its unit and says nothing else of substance
    ("sum session minutes and divide by 60", "watch minutes divided by 60" of a value in hours): the
    rule's unit and number agree with ``scale``'s; None otherwise.
    """
    said_n = [float(n.group("n").replace(",", "")) for n in SAID_FACTOR.finditer(rule)]
    units_said = {_duration(w) for w in re.findall(rf"\b(?:{_DURATIONS})\b", rule, re.IGNORECASE)}
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", rule)
    if scale.duration is None or len(said_n) != 1 or len(numbers) != 1 or len(units_said) != 1:
        return None
    if scale.duration in units_said or re.search(r"\b(?:per|each|every|average|mean)\b", rule, re.IGNORECASE):
        return None  # "minutes per learner divided by 60": more than a unit
    ratio = SECONDS[scale.duration] / SECONDS[units_said.pop()]
    divides = re.search(r"divid|/|÷", rule, re.IGNORECASE) is not None
    wanted = ratio if divides else 1 / ratio
    return scale if abs(said_n[0] - wanted) < 1e-9 and wanted in FACTORS else None


def _scale_said(definition: Definition) -> bool:
    """The definition or a rule states a scale with numbers or words the other readers read ("(0 to 100)",
    "express as a percentage"): the definition's own percent words are then theirs.
    """
    from metricmind.define.items import said_scale
    from metricmind.define.ruleforms import scale_of

    texts = (definition.text, *definition.rules)
    return any(said_scale(t) is not None for t in texts) or any(
        scale_of(r.lower()) is not None for r in definition.rules
    )


def kept(said_units: Said, original: Definition) -> list[Said]:
    """``said_units`` analyzed with the definition's own words ("Average duration in days": ``duration_days``
    is named by its unit too), then with each other duration unit in its place ("… in weeks" of a column in
    days: ``scaled`` then converts); the unit rules stay apart.
    """
    out = [replace(said_units, rest=Definition(original.name, original.text, said_units.rest.rules))]
    wanted = said_units.scale.duration
    for other in SECONDS:
        if other == wanted:
            continue
        text = re.sub(rf"\b{wanted}s?\b", f"{other}s", original.text, count=1, flags=re.IGNORECASE)
        if text != original.text:
            out.append(replace(said_units, rest=Definition(original.name, text, said_units.rest.rules)))
    return out


def _column_unit(model: Model, proposal: Proposal) -> str | None:
    """The duration unit of every column the proposed metric aggregates ("days_to_pay": day), or None."""
    from metricmind.define.extend import proposal_model  # extend → newtime → rules → columns → extend

    extended = proposal_model(model, proposal)
    found: set[str | None] = set()
    for name in extended.measures_of(str(proposal.metric["name"])) if proposal.metric else ():
        ms = extended.measures.get(name)
        expr = (ms.expr if ms else name).lower()
        words = re.findall(r"[a-z]+", expr)
        found.add(_converted(expr, next((_duration(w) for w in words if _duration(w) in SECONDS), None)))
    return found.pop() if len(found) == 1 else None


_FACTOR = re.compile(r"([*/])\s*(\d+(?:\.\d+)?)\b")


def _converted(expr: str, unit: str | None) -> str | None:
    """The unit of ``expr`` whose column is in ``unit``: "resolution_mins / 60.0" is in hours; a factor
    that lands on no unit makes it unknown (None).
    """
    if unit is None:
        return None
    seconds = SECONDS[unit]
    for op, number in _FACTOR.findall(expr):
        seconds = seconds * float(number) if op == "/" else seconds / float(number)
    return next((u for u, s in SECONDS.items() if abs(s - seconds) < 1e-9 * s), None)


def _already(model: Model, metric: dict[str, Any], scale: Scale) -> str | None:
    """The existing metric the proposal is based on when its own words say it is in ``scale`` already (its
    label, description or definition: "ARR ($K)"), else None.
    """
    name = str(((metric.get("config") or {}).get("meta") or {}).get("based_on") or "")
    base = model.metrics.get(name)
    if base is None:
        return None
    for text in (base.label, base.description, str(base.meta.get("definition") or "")):
        found = in_text(text) if text else None
        if found is not None and (found[1].divide, found[1].multiply, found[1].duration) == (
            scale.divide,
            scale.multiply,
            scale.duration,
        ):
            return name
    return None


def _in_percent(model: Model, proposal: Proposal) -> bool:
    """The proposed metric is in percent already: its unit says so, or every column it aggregates is a
    ``*_pct`` / ``*_percent`` one.
    """
    metric = proposal.metric or {}
    unit = str(((metric.get("config") or {}).get("meta") or {}).get("unit") or "")
    if unit in ("percent", "percentage"):
        return True
    from metricmind.define.extend import proposal_model  # extend → newtime → rules → columns → extend

    extended = proposal_model(model, proposal)
    names = extended.measures_of(str(metric.get("name")))
    exprs = [str(extended.measures[n].expr if n in extended.measures else n) for n in names]
    return bool(exprs) and all(re.search(r"(?:_pct|_percent|percentage)$", e) for e in exprs)


def _money_columns(model: Model, proposal: Proposal) -> bool | None:
    """Whether the amount the proposed metric sums is stored in cents (every column ``*_cents``: True) or in
    whole units (False); None when the metric is no amount of money (its unit is not ``currency``) or its
    columns mix the two.
    """
    metric = proposal.metric or {}
    unit = str(((metric.get("config") or {}).get("meta") or {}).get("unit") or "")
    if unit != "currency":
        return None
    from metricmind.define.extend import proposal_model  # extend → newtime → rules → columns → extend

    extended = proposal_model(model, proposal)
    names = extended.measures_of(str(metric.get("name")))
    exprs = [str(extended.measures[n].expr if n in extended.measures else n) for n in names]
    cents = {bool(re.search(r"cents?\b|_cents?_|pennies", e, re.IGNORECASE)) for e in exprs}
    return cents.pop() if len(cents) == 1 else None


def _a_fraction(metric: dict[str, Any]) -> bool:
    """The metric is a ratio (0 to 1): a ratio metric, or one whose unit says so (not a percentage)."""
    unit = str(((metric.get("config") or {}).get("meta") or {}).get("unit") or "")
    return unit == "ratio" or (metric.get("type") == "ratio" and unit not in ("percent", "percentage"))


def _wrap(proposal: Proposal, model: Model, scale: Scale) -> None:
    """The proposed metric scaled: a derived expression over it (a new helper metric when it is none)."""
    metric = proposal.metric
    assert metric is not None
    tp = metric.get("type_params") or {}
    if metric.get("type") == "derived" and tp.get("expr"):
        metric["type_params"] = dict(tp, expr=scale.expr(f"({tp['expr']})"))
    else:
        taken = set(model.metrics) | {str(m["name"]) for m in proposal.new_metrics}
        inner = next(
            n
            for n in (f"{metric['name']}_unscaled", *(f"{metric['name']}_unscaled_{i}" for i in range(2, 99)))
            if n not in taken
        )
        item = dict(metric, name=inner, label=inner.replace("_", " ").capitalize())
        item["description"] = (
            f"{metric.get('description') or ''} (before scaling; part of `{metric['name']}`)"
        )
        item["config"] = copy.deepcopy(metric.get("config") or {})
        proposal.new_metrics.append(item)
        proposal.metric = {
            "name": metric["name"],
            "label": metric.get("label"),
            "description": metric.get("description"),
            "type": "derived",
            "type_params": {"expr": scale.expr(inner), "metrics": [{"name": inner}]},
            "config": copy.deepcopy(metric.get("config") or {"meta": {}}),
        }
    main = proposal.metric
    assert main is not None
    main.setdefault("config", {}).setdefault("meta", {})["scale"] = scale.what


def scaled(
    proposal: Proposal, said_units: Said, original: Definition, model: Model, dialect: str
) -> Proposal:
    """``proposal`` (analyzed without the unit's words) with the unit applied, as the person wrote it."""
    scale = said_units.scale
    problem = said_units.problem
    status, conf, why = (
        "expression",
        UNIT_CONFIDENCE,
        f"the value is reported {scale.what}, after aggregation",
    )
    metric = proposal.metric
    factor: Scale | None = scale
    already = _already(model, metric, scale) if metric is not None else None
    if problem is None and already is not None:  # the metric read is itself in that unit
        status, why, factor = "covered", f"`{already}` is already reported {scale.what}", None
    elif problem is None and metric is not None:
        if scale.duration is not None:
            own = _column_unit(model, proposal)
            if own is None:
                problem = f"asks for the value {scale.what}, but the unit of what the metric aggregates is not known"
            elif own == scale.duration:
                status, why, factor = "covered", f"the value is already {scale.what} (its column is)", None
            else:
                ratio = SECONDS[own] / SECONDS[scale.duration]
                factor = Scale(multiply=ratio) if ratio >= 1 else Scale(divide=1 / ratio)
                factor = replace(factor, what=f"{scale.what} (from {own}s)")
                if max(factor.multiply, factor.divide) not in FACTORS:
                    problem = f"converts {own}s {scale.what}, a factor not allowed"
                why = f"the value is reported {scale.what}: its column is in {own}s"
        elif scale.cents:
            money = _money_columns(model, proposal)
            if money is None:
                problem = f"asks for the value {scale.what}, but the metric is no amount of money"
            elif money:
                status, why, factor = "covered", f"the value is already {scale.what} (its columns are)", None
            else:
                why = f"the value is reported {scale.what}: its columns are in whole currency units"
        elif scale.percent and _in_percent(model, proposal):
            status, why, factor = "covered", "the value is already a percentage (0 to 100)", None
        elif scale.multiply != 1.0 and not _a_fraction(metric):
            problem = f"says {scale.what}, which scales a fraction, but the metric is no ratio in 0-1"
    if problem is not None:
        status, conf, why = "unread", 0.1, problem
    elif metric is not None and factor is not None and (factor.multiply != 1.0 or factor.divide != 1.0):
        _wrap(proposal, model, factor)
    reading = {i: RuleReading(r, status, conf, why) for i, r in said_units.rules.items()}
    rest = said_units.rest
    rules = [
        replace(r, text=r.text.replace(rest.text, original.text)) if rest.text != original.text else r
        for r in proposal.rules
    ]
    for i in sorted(reading):
        rules.insert(min(i, len(rules)), reading[i])
    if not said_units.rules:  # said in the definition only: the reading says what the unit did
        rules.append(RuleReading(f"(in the definition) {original.text}", status, conf, why))
    proposal.rules = rules
    proposal.definition = original
    for item in [proposal.metric, *proposal.new_metrics]:
        if not item:
            continue
        if item.get("description") == rest.text:
            item["description"] = original.text
        meta = item.get("config", {}).get("meta", {})
        if meta.get("definition") == rest.text:
            meta["definition"] = original.text
        if "business_rules" in meta:
            meta["business_rules"] = list(original.rules)
    if proposal.metric is not None and status != "unread":
        from metricmind.define.extend import proposal_sql  # extend → newtime → rules → columns → extend

        try:
            proposal.preview_sql = proposal_sql(model, proposal, dialect=dialect)
        except MetricmindError as exc:
            proposal.refused, proposal.message = (
                "unsupported",
                f"the scaled metric does not compile: {exc.message}",
            )
            proposal.metric, proposal.preview_sql = None, None
    return proposal
