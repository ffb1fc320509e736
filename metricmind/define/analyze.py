"""``analyze(definition, model) -> Proposal``: pure, deterministic, no LLM.

Steps: check the input (name, free text) → rank existing metrics and sources by the definition's words,
its unit (money or a count) and whether it asks for a snapshot ("at the end of", "active … per month") →
read each business rule against the top source (``rules.read_rule``) → refuse on unknown words, values
that do not exist or contradictory rules → build the MetricFlow metric (the dictionary drafts use) and its
SQL by ``metric_time__month``. The closest metric's ordering and confidence live in ``closest``, a metric
on new parts put into the proposal in ``composed``.
"""

from __future__ import annotations

import re
import time

from metricmind.define import clauses, forms, leadin, moneyword, units
from metricmind.define import rules as rulebook
from metricmind.define.absence import flag_absent_rows
from metricmind.define.antijoin import read_absence
from metricmind.define.audit import audit
from metricmind.define.build import REDATE_NEEDED, build_metric, refuse
from metricmind.define.checks import checks_for
from metricmind.define.clipped import flag_unclear, unclipped
from metricmind.define.closest import MIN_SCORE, entity_counter_first, ranked_sources
from metricmind.define.closest import source_confidence as _source_confidence
from metricmind.define.columns import TableValues
from metricmind.define.columns import column_words as value_words
from metricmind.define.composed import composed
from metricmind.define.confidence import assess, capped
from metricmind.define.core import core_unknown
from metricmind.define.countedvalue import flag_counted_value, flag_summed_count
from metricmind.define.crosswindow import read_window
from metricmind.define.degenerate import flag_same_parts
from metricmind.define.entityavg import read_average
from metricmind.define.entitydays import read_days
from metricmind.define.ever import EVER, ever_metric, flag_unaccumulated
from metricmind.define.extend import proposal_sql
from metricmind.define.fit import incompatible, mismatch
from metricmind.define.flagsaid import flag_unsaid
from metricmind.define.glosses import glossed
from metricmind.define.groupdefs import defined_words
from metricmind.define.honoured import flag_unhonoured, flag_untraced
from metricmind.define.inputs import check_input
from metricmind.define.joinrules import cover_join_rules
from metricmind.define.literals import alias_literal, alias_message
from metricmind.define.nearname import refuse_near_name
from metricmind.define.newtime import (
    NEW_DATE_CONFIDENCE,
    dated_rows_only,
    undeclared_dates,
    used,
    with_dimensions,
)
from metricmind.define.nullrules import cover_null_rules
from metricmind.define.numbers import flag_unread_numbers
from metricmind.define.ordinals import refuse_ordinal_clash
from metricmind.define.overall import flag_undivided_whole
from metricmind.define.pairsaid import flag_unapplied_pair
from metricmind.define.priorperiod import without_prior
from metricmind.define.pronoundate import flag_pronoun_date
from metricmind.define.proposal import Definition, Proposal, Suggestion, as_written
from metricmind.define.rank import confidence, rank
from metricmind.define.reach import flag_unreached_entity, unreached
from metricmind.define.rivals import plain_name_first
from metricmind.define.rulecues import uncontract
from metricmind.define.saiddate import flag_undated_column
from metricmind.define.snapshotpick import better_snapshot, snapshot_instead
from metricmind.define.spelling import RESPELLED_CONFIDENCE, respell
from metricmind.define.sqlwords import spoken
from metricmind.define.terms import PERCENTILE_CUE, VERBS
from metricmind.define.timerules import flag_unnamed_date
from metricmind.define.unapplied import flag_unapplied_values
from metricmind.define.usage import Usage
from metricmind.define.wordrule import read_word_rule
from metricmind.define.words import (
    POINT_IN_TIME,
    SOFT,
    content,
    expand,
    known,
    lexicon,
    observing,
    stems,
    verbs_in,
    vocabulary,
    without_examples,
)
from metricmind.errors import MetricmindError
from metricmind.spec.model import Model

#: A point-in-time phrase ("at the close of each month"): its words say when, never what.
AT_POINT = re.compile(rf"\b({POINT_IN_TIME})\b", re.IGNORECASE)


def analyze(
    definition: Definition,
    model: Model,
    *,
    dialect: str = "duckdb",
    max_hops: int = 4,
    columns: dict[str, dict[str, str]] | None = None,
    usage: Usage | None = None,
    values: TableValues | None = None,
    observed: dict[str, list[str]] | None = None,
) -> Proposal:
    """Analyze a plain-English definition over ``model``; nothing is written.

    Args:
        definition: The metric's name, one-line definition and business rules.
        model: The project's model (``Project.model``).
        dialect: SQL dialect of ``preview_sql``.
        max_hops: Longest join path for dimensions and rule filters.
        columns: Optional warehouse columns per relation (``{relation: {column: type}}``, e.g. from
            ``information_schema``): columns no measure aggregates yet can then be proposed.
        usage: Optional use counts from the knowledge graph (``define.usage.from_graph``): sources,
            similar metrics and each dimension's join path are ranked by them.
        values: Optional distinct values of the tables' text columns that are no dimension
            (``define.columns.table_values``): a rule naming one ("Only voluntary cancellations") is then
            read as a predicate on that column, inside a new measure.
        observed: Optional distinct values of the dimensions that declare none, by entity__name
            (``Project.dimension_values()``): rules name them as they name declared values. They may also
            come with ``model`` itself (``words.observing``), as ``Project.define_model()`` holds them.

    Returns:
        A ``Proposal``: with ``metric`` and ``preview_sql`` when a metric can be proposed, else with
        ``refused`` (a code) and ``message`` (what is wrong and what to do).
    """
    started = time.perf_counter()
    if observed is not None:
        model = observing(model, observed)
    model = glossed(model)  # "home (homeowners)" in a description: another word for home
    written = definition
    definition, chat = leadin.read_away(definition)  # "Basically, …", "Can you set up a metric for …"
    proposal = _units(definition, model, dialect, max_hops, columns, usage, values)
    split = clauses.promoted(definition)  # "…; annual plans as monthly": read as a rule too, and compared
    if split is not None and (clauses.answered(proposal) or proposal.refused is not None):
        other = _units(split, model, dialect, max_hops, columns, usage, values)
        proposal = clauses.reconcile(proposal, other, split.rules[: len(split.rules) - len(definition.rules)])
    if chat:
        as_written(proposal, definition, written)
        if proposal.metric is not None:
            proposal.doubts += chat
    flag_unhonoured(proposal, model)  # a value said that no filter applies: unread, never dropped
    flag_untraced(proposal, model)  # a value applied that no word says (a swap): unread
    flag_unsaid(proposal, model)  # a yes/no flag applied that no free word of its own says: unread
    refuse_ordinal_clash(proposal)  # "only first loans" + "only borrowers with an earlier loan"
    refuse_near_name(
        proposal, model
    )  # "Rotterdam Centrum": no hub; 'Rotterdam Waalhaven', 'Amsterdam Centrum'
    capped(proposal)  # a rule left unread: the metric rests on a guess, never confident
    proposal.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return proposal


def _units(
    definition: Definition,
    model: Model,
    dialect: str,
    max_hops: int,
    columns: dict[str, dict[str, str]] | None,
    usage: Usage | None,
    values: TableValues | None,
) -> Proposal:
    """``analyze`` of one reading of the definition: a unit it states ("in $K") read apart, then scaled."""
    started = time.perf_counter()
    unit = units.said(definition)  # "in $K": read without the unit's words, then scaled
    if unit is None:
        return _plain(definition, model, dialect, max_hops, columns, usage, values)
    if unit.head and unit.problem is None:  # "Hours played": the time said in each unit, the one whose column
        headed = _headed(unit, definition, model, dialect, max_hops, columns, usage, values)  # is known
        if headed is not None:
            headed.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            return headed
    if unit.head:  # no reading converts a column: the definition is read without its head as a unit
        unit = units.said(definition, heads=False)
        if unit is None:
            return _plain(definition, model, dialect, max_hops, columns, usage, values)
    inner = _plain(unit.rest, model, dialect, max_hops, columns, usage, values)
    for again in units.kept(unit, definition) if inner.refused and unit.scale.duration else ():
        trial = _plain(again.rest, model, dialect, max_hops, columns, usage, values)  # "duration in weeks"
        if not trial.refused:
            unit, inner = again, trial
            break
    scaled = units.scaled(inner, unit, definition, model, dialect)
    scaled.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return scaled


def _headed(
    unit: units.Said,
    definition: Definition,
    model: Model,
    dialect: str,
    max_hops: int,
    columns: dict[str, dict[str, str]] | None,
    usage: Usage | None,
    values: TableValues | None,
) -> Proposal | None:
    """A definition headed by a duration ("Hours played in racing games") read as said and with each other
    unit in its place ("Minutes played …"): the reading whose column's unit is known and converts, with the
    fewest rules unread; None when none does.
    """
    best: Proposal | None = None
    for again in units.kept(unit, definition):
        trial = _plain(again.rest, model, dialect, max_hops, columns, usage, values)
        if trial.refused or trial.metric is None:
            continue
        based = model.metrics.get(str((trial.metric.get("config") or {}).get("meta", {}).get("based_on")))
        if based is not None and based.type.value != "simple":
            continue  # `watch_hours` (watch_minutes / 60): its own conversion is no column's unit
        done = units.scaled(trial, again, definition, model, dialect)
        said = [
            r
            for r in done.rules
            if r.text in (*unit.rules.values(), f"(in the definition) {definition.text}")
        ]
        if done.refused or any(r.status == "unread" for r in said):
            continue
        if best is None or len(done.unread) < len(best.unread):
            best = done
    return best


def _plain(
    definition: Definition,
    model: Model,
    dialect: str,
    max_hops: int,
    columns: dict[str, dict[str, str]] | None,
    usage: Usage | None,
    values: TableValues | None,
) -> Proposal:
    """``analyze`` of a definition without a unit to scale by. An absence of other rows ("who were not
    invoiced") or a word a rule defines by thresholds is read first (an anti-join, or each entity's counts:
    a model of its own); an average per entity only when the catalog's metrics leave a rule unread or
    propose nothing for want of a part (an existing average, such as ARPA, comes first).
    """
    started = time.perf_counter()

    def part(d: Definition) -> Proposal:
        return _plain(d, model, dialect, max_hops, columns, usage, values)

    if not check_input(definition, model):  # a name taken, bad input: refused as it is
        first = read_absence(definition, model, part, dialect, max_hops) or read_word_rule(
            definition, model, dialect, max_hops
        )
        if first is not None:
            first.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
            return first
    proposal = _read(definition, model, dialect, max_hops, columns, usage, values)
    if proposal.refused not in (None, "unsupported", "no_data") or (proposal.metric and not proposal.unread):
        return proposal
    based = model.metrics.get(
        str(((proposal.metric or {}).get("config") or {}).get("meta", {}).get("based_on"))
    )
    if based is not None and based.type.value in ("ratio", "derived"):
        return proposal  # an average or ratio of the catalog's (ARPA) comes first
    for reading in (read_average, read_window):  # "Avg seats per account"; "within 3 days of signing up"
        built = reading(definition, model, part, dialect, max_hops)
        if built is None or len(built.unread) >= (1 if proposal.refused else len(proposal.unread)):
            continue  # a refusal stays one unless the reading reads every rule and word
        built.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
        return built
    return proposal


def _read(
    definition: Definition,
    model: Model,
    dialect: str,
    max_hops: int,
    columns: dict[str, dict[str, str]] | None,
    usage: Usage | None,
    values: TableValues | None,
) -> Proposal:
    """The catalog's metrics and parts read for ``definition``."""
    started = time.perf_counter()
    formed, changes = forms.normalised(definition, model)  # "organisations", "biz": the catalog's words
    formed = moneyword.as_amount(formed, model, changes)  # "invoiced dollars": the invoiced amount
    unclear: list[tuple[str, tuple[str, ...]]] = []  # "physio": physiotherapy or physiotherapist
    formed = unclipped(formed, model, changes, unclear)  # "physio clinics": the service line physiotherapy
    work = Definition(
        definition.name,
        spoken(expand(uncontract(formed.text))),  # "payment_method <> 'card'": not card
        tuple(spoken(expand(uncontract(r))) for r in formed.rules),
    )
    extra = [c for cols in (columns or {}).values() for c in cols]
    extra += [v for cols in (values or {}).values() for vals in cols.values() for v in vals]
    read = [respell(t, model, extra) for t in (work.text, *work.rules)]
    respelled = [c for _, changes in read for c in changes]  # "acounts": accounts
    if respelled:
        work = Definition(work.name, read[0][0], tuple(t for t, _ in read[1:]))
    proposal = Proposal(definition=work)
    dates = undeclared_dates(model, work, columns)  # "By the write-off date": written_off_at, undeclared
    try:
        _analyze(
            work,
            with_dimensions(model, dates) if dates else model,
            proposal,
            dialect,
            max_hops,
            columns,
            usage,
            values or {},
        )
        proposal.new_dimensions = used(proposal, dates)
        if proposal.new_dimensions and proposal.metric is not None:
            extended = with_dimensions(model, proposal.new_dimensions)
            dated_rows_only(extended, proposal)
            try:
                proposal.preview_sql = proposal_sql(extended, proposal, dialect=dialect)
            except MetricmindError as exc:
                refuse(proposal, "unsupported", f"the proposed metric does not compile: {exc.message}")
                proposal.new_dimensions = []
        flag_unnamed_date(proposal, model, work.text)  # "by the date it was settled": no such date
        flag_undated_column(proposal, model, work.text, dialect)  # "by refunded_at month", dated otherwise
        flag_unapplied_pair(proposal, model, work.text, dialect, columns)  # "paid after their due date"
        cover_null_rules(proposal, dialect)  # "Null refunded_amount means 0" of a sum of refunded_amount
        cover_join_rules(proposal, model)  # "Segment from dim_customers": the filter's many-to-one join
        flag_pronoun_date(proposal, model, work.text)  # "counted on the day they were made"
        flag_unreached_entity(proposal, model, work.text)  # "customers with an overdue invoice": no invoices
        for nd in proposal.new_dimensions:  # a date the catalog did not declare: a person checks it
            proposal.confidence = min(proposal.confidence, NEW_DATE_CONFIDENCE)
            proposal.doubts.append(nd.reason)
        if respelled and proposal.metric is not None:  # a person checks the words read otherwise
            proposal.confidence = min(proposal.confidence, RESPELLED_CONFIDENCE)
            proposal.doubts.append(
                "read " + ", ".join(f"{a!r} as {b!r}" for a, b in dict(respelled).items()) + " (misspelled?)"
            )
        if audit(model, proposal, columns) and proposal.metric is not None:  # corrected: compile again
            try:
                proposal.preview_sql = proposal_sql(model, proposal, dialect=dialect)
            except MetricmindError as exc:
                refuse(proposal, "unsupported", f"the proposed metric does not compile: {exc.message}")
        if proposal.metric is not None and not proposal.refused:  # "active on at least 5 days in the month"
            read_days(model, proposal, dialect, max_hops)
        flag_unread_numbers(proposal)  # "active on at least 5 days" read as every active user: unread
        flag_unaccumulated(proposal, model)  # "customers who have ever paid" read as each month's payers
        flag_same_parts(proposal)  # a ratio of a value by itself (the numerator's filter on both): unread
        flag_undivided_whole(proposal)  # "Gold guests' revenue over all room revenue" read as no ratio
        flag_counted_value(proposal, model)  # "upgrade customers" read as a filter on active customers
        flag_summed_count(proposal, model)  # "downgrade accounts" read as the MRR of downgrades
        flag_unapplied_values(proposal, model)  # "of Booking.com reservations" kept by no filter
        flag_absent_rows(proposal, model)  # "customers with no invoice": an anti-join, never the opposite
        flag_unclear(proposal, unclear)  # "Physio appointments": which value of which dimension?
        forms.cost(proposal, changes)
        if work != definition:
            as_written(proposal, work, definition)
    finally:
        proposal.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return proposal


def _analyze(
    definition: Definition,
    model: Model,
    proposal: Proposal,
    dialect: str,
    max_hops: int,
    columns: dict[str, dict[str, str]] | None,
    usage: Usage | None = None,
    values: TableValues | None = None,
) -> None:
    values = values or {}
    bad = check_input(definition, model)
    if bad:
        refuse(proposal, *bad)
        return
    quoted = alias_literal([definition.text, *definition.rules], lexicon(model))
    if quoted:  # "payment_method = 'ach'" compares stored values; 'ach' is only another word for one
        refuse(proposal, "unknown_value", alias_message(*quoted))
        return
    text = f"{definition.name.replace('_', ' ')} {definition.text}"
    proposal.sources = ranked_sources(model, text, usage)
    vocab = vocabulary(model)
    column_words = {w for cols in (columns or {}).values() for c in cols for w in content(c)}
    column_words |= value_words(values)
    verbs = verbs_in(definition.text)
    said = {  # values the lexicon knows by another name ("German" for DE in a column of country codes)
        w
        for key, entries in lexicon(model).phrases.items()
        if any(e.kind == "value" for e in entries)
        for w in key
    }
    defined = defined_words(definition.text, lambda k: _names_value(model, k))
    unknown = [
        w
        for w in content(AT_POINT.sub(" ", without_examples(definition.text)))
        if not known(w, vocab | column_words | said)
        and w not in VERBS
        and not PERCENTILE_CUE.fullmatch(w)  # "p90"
        and w not in column_words
        and w not in verbs
        and w not in SOFT
        and w not in defined  # "bulky parcels (size L and XL)": the parenthesis says which values
    ]
    ranked = rank(model, definition, text, usage.metrics if usage else None)
    proposal.similar = [
        Suggestion(
            "metric",
            c.metric.name,
            confidence(c.score),
            c.reason,
            {"status": c.metric.meta.get("status", "published"), "type": c.metric.type.value},
        )
        for c in ranked[:5]
    ]
    if unknown:  # a value misspelled ("Enterprize") is named with the nearest, core or not
        near = rulebook.unknown_value(
            [stems(t.lower().replace("-", " ")) for t in (*definition.rules, definition.text)],
            lexicon(model),
            set(unknown),
        )
        if near:
            dim, word, nearest = near
            refuse(proposal, "unknown_value", rulebook.no_value_among(dim, word, nearest, lexicon(model)))
            return
    core = core_unknown(  # an unknown word that is what the metric is refuses; one that qualifies is a doubt
        without_prior(
            EVER.sub(" ", AT_POINT.sub(" ", without_examples(definition.text)))
        ),  # "ever", "last month's"
        set(unknown),
        lambda w: known(w, vocab | column_words | said),
        verbs | VERBS,
        lambda w: _names_value(model, (w,)),  # "water damage claims": the word of a value, then its own
    )
    if core:
        closest = ", ".join(c.metric.name for c in ranked[:3]) or "none"
        refuse(
            proposal,
            "no_data",
            f"the project has nothing for {', '.join(repr(w) for w in dict.fromkeys(core))} (no metric, "
            f"measure, dimension or dataset uses these words); closest metrics: {closest}",
        )
        return
    if isinstance(ever_metric(definition, model), tuple) and composed(  # "customers who ever paid"
        definition, model, proposal, dialect, max_hops, columns, usage, values
    ):
        return
    if not ranked or ranked[0].score < MIN_SCORE:
        if composed(definition, model, proposal, dialect, max_hops, columns, usage, values):
            return
        closest = ", ".join(c.metric.name for c in ranked[:3]) or "none"
        refuse(proposal, "no_data", f"the definition matches no metric or measure well; closest: {closest}")
        return
    ranked = entity_counter_first(definition, model, ranked, columns)
    ranked = plain_name_first(definition, ranked, MIN_SCORE)
    base = ranked[0].metric
    problem = mismatch(definition, model, base)
    if problem and (swapped := snapshot_instead(definition, model, base, proposal.sources)):
        (model, base), problem = swapped, None  # "… at month end" of a flow: the catalog's own snapshot
    elif not problem and (better := better_snapshot(definition, model, base, proposal.sources)):
        model, base = better  # "overdue parcels … at month end": the snapshot the words name, not another
    other = None if problem else incompatible(definition, model, base, columns)
    if problem or other:
        if composed(definition, model, proposal, dialect, max_hops, columns, usage, values):
            return
        refuse(proposal, "unsupported", problem or other or "")
        return
    if unreached(model, base.name, definition.text) and composed(  # "customers with an overdue invoice"
        definition, model, proposal, dialect, max_hops, columns, usage, values
    ):
        return
    extended = build_metric(definition, model, proposal, base, dialect, max_hops, usage, values, columns)
    if proposal.refused == "unsupported" and composed(
        definition, model, proposal, dialect, max_hops, columns, usage, values
    ):
        return
    redated = proposal.refused == "unsupported" and REDATE_NEEDED in (proposal.message or "")
    if redated:  # "Money refunded" + "in the month its invoice was paid": `refunds` dated by paid_at
        proposal.refused, proposal.message = None, ""
        extended = build_metric(
            definition, model, proposal, base, dialect, max_hops, usage, values, columns, redate_ok=True
        )
    if proposal.metric is not None:
        proposal.checks = checks_for(extended, proposal)
        assess(extended, proposal, *_source_confidence(ranked, definition), base=model)
        for nm in proposal.new_measures if redated else ():
            proposal.confidence = min(proposal.confidence, nm.confidence)
            proposal.doubts.append(nm.reason)


def _names_value(model: Model, key: tuple[str, ...]) -> bool:
    """The stems ``key`` name a value of a dimension of ``model`` (its lexicon's, warehouse values too)."""
    return any(e.kind == "value" for e in lexicon(model).lookup(key))
