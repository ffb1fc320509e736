"""Read and check the JSON inputs of the analyses; every refusal names the row (``journeys[3].touchpoints[0].ts``).

Choices for bad input (documented in ``docs/analyses.md``): a journey without touchpoints, a channel spelled in
two casings, a channel name with surrounding spaces, a timestamp without a zone, a conversion before a touch,
a negative or non-finite amount, months out of order or with a gap, a row outside the months, a repeated
touchpoint or customer month, and an empty input are all refused. Repeated activity rows are fine (activity
is a set of user months).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from metricmind.analyses.attribution import DEFAULT_HALF_LIFE_DAYS, MODELS, check_models
from metricmind.analyses.journeys import Journeys
from metricmind.analyses.monthly import MonthlyPanel
from metricmind.analyses.periods import (
    AnalysisInputError,
    month_index,
    month_of_date,
    parse_timestamp,
)
from metricmind.errors import closest

ATTRIBUTION_KEYS = ("journeys", "models", "time_decay_half_life_days", "markov_order", "channels")
LIFECYCLE_KEYS = ("months", "activity")
MRR_KEYS = ("months", "subscriptions", "windows")
"""Cohorts read the same keys (``windows`` is ignored there)."""


@dataclass(frozen=True)
class AttributionInput:
    """Checked attribution input: the journeys and the options read from the file."""

    journeys: Journeys
    models: list[str]
    half_life_days: float
    markov_order: int


@dataclass(frozen=True)
class MrrInput:
    """Checked MRR input: the panel and the NRR/GRR windows as month offsets."""

    panel: MonthlyPanel
    windows: list[tuple[int, int]]


def _object(data: object, where: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise AnalysisInputError(
            f"{where} is {type(data).__name__}, not an object", hint="Write a JSON object."
        )
    return data


def _rows(data: Mapping[str, Any], key: str, *, required: bool = True) -> list[Any]:
    if key not in data:
        if not required:
            return []
        raise AnalysisInputError(
            f"the input has no {key!r}", hint=f'Add "{key}": [...] (see docs/analyses.md).'
        )
    rows = data[key]
    if not isinstance(rows, list):
        raise AnalysisInputError(f"{key} is {type(rows).__name__}, not a list", hint=f'Write "{key}": [...].')
    if required and not rows:
        raise AnalysisInputError(f"{key} is empty", hint=f"Give at least one row in {key}.")
    return rows


def _check_keys(data: Mapping[str, Any], known: Sequence[str]) -> None:
    """Refuse a top-level key that looks like a misspelt known one (other extra keys are ignored)."""
    for key in data:
        if key not in known:
            near = difflib.get_close_matches(str(key), known, n=1, cutoff=0.76)
            if near:
                raise AnalysisInputError(
                    f"the input has an unknown key {key!r}", hint=f"Did you mean {near[0]!r}?"
                )


def _identifier(value: object, where: str) -> str | int:
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise AnalysisInputError(f"{where} is {value!r}", hint="Use a non-empty string or an integer id.")
    return value


def _amount(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AnalysisInputError(f"{where} is {value!r}, not a number", hint="Write a plain JSON number.")
    if value < 0:
        raise AnalysisInputError(
            f"{where} is negative ({value!r})",
            hint="Amounts must be ≥ 0; record refunds or credits elsewhere, not as negative revenue.",
        )
    return float(value)


def _channel(value: object, where: str, spellings: dict[str, tuple[str, str]]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AnalysisInputError(
            f"{where} is {value!r}, not a channel name", hint="Write a non-empty string."
        )
    if value != value.strip():
        raise AnalysisInputError(
            f"{where} {value!r} has surrounding spaces", hint=f"Write {value.strip()!r}."
        )
    seen = spellings.setdefault(value.casefold(), (value, where))
    if seen[0] != value:
        raise AnalysisInputError(
            f"{where} is {value!r} but {seen[1]} is {seen[0]!r}: one channel in two casings, or two channels?",
            hint="Channel names are case-sensitive; spell each channel one way (e.g. all lower case).",
        )
    return value


def read_attribution(data: object) -> AttributionInput:
    """Check an attribution input (``{"journeys": [...], "models"?, ...}``) and build its journeys.

    Raises:
        AnalysisInputError: The first problem found, naming its row.
    """
    top = _object(data, "the input")
    _check_keys(top, ATTRIBUTION_KEYS)
    rows = _rows(top, "journeys")
    spellings: dict[str, tuple[str, str]] = {}
    declared: list[str] = []
    for i, name in enumerate(_rows(top, "channels", required=False)):
        declared.append(_channel(name, f"channels[{i}]", spellings))
    ids: dict[str | int, int] = {}
    touch_journey: list[int] = []
    touch_channel: list[str] = []
    touch_ts: list[float] = []
    converted: list[bool] = []
    revenue: list[float] = []
    conversion_ts: list[float] = []
    for i, raw in enumerate(rows):
        where = f"journeys[{i}]"
        row = _object(raw, where)
        # journey_id is optional (it only names the journey); when given it must be unique
        jid = _identifier(row["journey_id"], f"{where}.journey_id") if "journey_id" in row else f"#{i}"
        if jid in ids:
            raise AnalysisInputError(
                f"{where}.journey_id {jid!r} repeats journeys[{ids[jid]}]",
                hint="Give each journey once, with all its touchpoints.",
            )
        ids[jid] = i
        touches = row.get("touchpoints")
        if not isinstance(touches, list) or not touches:
            raise AnalysisInputError(
                f"{where}.touchpoints is {'empty' if touches == [] else repr(touches)}",
                hint='Every journey needs at least one touchpoint {"channel", "ts"}; drop empty journeys.',
            )
        is_converted = row.get("converted")
        if not isinstance(is_converted, bool):
            raise AnalysisInputError(f"{where}.converted is {is_converted!r}", hint="Write true or false.")
        if row.get("revenue") is None and is_converted:
            raise AnalysisInputError(
                f"{where} converted but has no revenue", hint='Add "revenue": 0 or more.'
            )
        revenue_raw = row.get("revenue")
        amount = 0.0 if revenue_raw is None and not is_converted else _amount(revenue_raw, f"{where}.revenue")
        seen_touches: dict[str, int] = {}
        latest = -math.inf
        for k, touch_raw in enumerate(touches):
            at = f"{where}.touchpoints[{k}]"
            touch = _object(touch_raw, at)
            channel = _channel(touch.get("channel"), f"{at}.channel", spellings)
            if declared and channel not in declared:
                near = closest(channel, declared)
                raise AnalysisInputError(
                    f"{at}.channel {channel!r} is not in channels",
                    hint=(f"Did you mean {near[0]!r}? " if near else "") + 'Add it to "channels".',
                )
            ts = parse_timestamp(touch.get("ts"), f"{at}.ts").timestamp()
            fingerprint = json.dumps({**touch, "ts": ts}, sort_keys=True, default=str)
            if fingerprint in seen_touches:
                raise AnalysisInputError(
                    f"{at} repeats {where}.touchpoints[{seen_touches[fingerprint]}] (the same row twice)",
                    hint="Remove the duplicate: it would earn the channel a second share. Two real touches at "
                    'the same instant on one channel need a distinguishing key, e.g. "touchpoint_id".',
                )
            seen_touches[fingerprint] = k
            latest = max(latest, ts)
            touch_journey.append(i)
            touch_channel.append(channel)
            touch_ts.append(ts)
        conv = row.get("conversion_ts")
        conv_value = math.nan
        if conv is not None:
            conv_value = parse_timestamp(conv, f"{where}.conversion_ts").timestamp()
            if conv_value < latest:
                raise AnalysisInputError(
                    f"{where}.conversion_ts {conv} is before a touchpoint of the journey",
                    hint="Keep only the touchpoints up to the conversion, or fix the timestamps.",
                )
        converted.append(is_converted)
        revenue.append(amount)
        conversion_ts.append(conv_value)
    names = tuple(sorted(set(touch_channel) | set(declared)))
    code = {name: c for c, name in enumerate(names)}
    models_raw = top.get("models", list(MODELS))
    if not isinstance(models_raw, list):
        raise AnalysisInputError(f"models is {models_raw!r}, not a list", hint='Write "models": ["linear"].')
    half_life = top.get("time_decay_half_life_days", DEFAULT_HALF_LIFE_DAYS)
    if _amount(half_life, "time_decay_half_life_days") <= 0:
        raise AnalysisInputError("time_decay_half_life_days is 0", hint="Give a positive number of days.")
    order = top.get("markov_order", 1)
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise AnalysisInputError(f"markov_order is {order!r}", hint="Give a positive integer (1 or 2).")
    journeys = Journeys.build(
        names,
        np.array(touch_journey, dtype=np.int64),
        np.array([code[c] for c in touch_channel], dtype=np.int64),
        np.array(touch_ts, dtype=np.float64),
        np.array(converted, dtype=np.bool_),
        np.array(revenue, dtype=np.float64),
        np.array(conversion_ts, dtype=np.float64),
        tuple(str(k) for k in ids),
    )
    return AttributionInput(journeys, check_models(models_raw), float(half_life), order)


def _months(top: Mapping[str, Any], found: list[int]) -> tuple[int, int]:
    """The window ``(first month index, number of months)`` from ``months`` or from the rows' months."""
    listed = _rows(top, "months", required=False)
    if not listed:
        if "months" in top:
            raise AnalysisInputError("months is empty", hint='List the months, or leave "months" out.')
        return min(found), max(found) - min(found) + 1
    indexes = [month_index(m, f"months[{i}]") for i, m in enumerate(listed)]
    for i in range(1, len(indexes)):
        if indexes[i] <= indexes[i - 1]:
            raise AnalysisInputError(
                f"months[{i}] {listed[i]!r} is not after months[{i - 1}] {listed[i - 1]!r}",
                hint="List months in increasing order, each once.",
            )
        if indexes[i] != indexes[i - 1] + 1:
            raise AnalysisInputError(
                f"months[{i}] {listed[i]!r} skips the month(s) after {listed[i - 1]!r}",
                hint="List every month of the history, consecutive (a month with no data is still a month).",
            )
    return indexes[0], len(indexes)


def _panel(
    top: Mapping[str, Any], key: str, found: list[int], entities: list[str | int], values: list[float]
) -> MonthlyPanel:
    first, count = _months(top, found)
    for i, m in enumerate(found):
        if not first <= m < first + count:
            raise AnalysisInputError(
                f"{key}[{i}] is in a month outside months",
                hint='Add the month to "months", or drop the row (the months listed are the whole history).',
            )
    codes: dict[str | int, int] = {}
    entity = np.array([codes.setdefault(e, len(codes)) for e in entities], dtype=np.int64)
    return MonthlyPanel.build(first, count, entity, np.array(found, dtype=np.int64) - first, np.array(values))


def read_lifecycle(data: object) -> MonthlyPanel:
    """Check a lifecycle input (``{"months"?, "activity": [{"user_id", "month" | "ts"}]}``).

    Raises:
        AnalysisInputError: The first problem found, naming its row.
    """
    top = _object(data, "the input")
    _check_keys(top, LIFECYCLE_KEYS)
    rows = _rows(top, "activity")
    users: list[str | int] = []
    found: list[int] = []
    for i, raw in enumerate(rows):
        where = f"activity[{i}]"
        row = _object(raw, where)
        users.append(_identifier(row.get("user_id"), f"{where}.user_id"))
        if ("month" in row) == ("ts" in row):
            raise AnalysisInputError(
                f"{where} needs one of month or ts", hint='Give "month" or "ts", not both.'
            )
        if "month" in row:
            found.append(month_index(row["month"], f"{where}.month"))
        else:
            found.append(month_of_date(parse_timestamp(row["ts"], f"{where}.ts", allow_date=True)))
    panel = _panel(top, "activity", found, users, [1.0] * len(users))
    keep = np.ones(len(panel.entity), dtype=np.bool_)
    keep[1:] = (panel.entity[1:] != panel.entity[:-1]) | (panel.month[1:] != panel.month[:-1])
    return MonthlyPanel(
        panel.first_month, panel.n_months, panel.entity[keep], panel.month[keep], panel.value[keep]
    )


def read_subscriptions(data: object, known: Sequence[str] = MRR_KEYS) -> MonthlyPanel:
    """Check ``{"months"?, "subscriptions": [{"customer_id", "month", "mrr"}]}`` and build the MRR panel.

    Raises:
        AnalysisInputError: The first problem found (a repeated customer month names both rows).
    """
    top = _object(data, "the input")
    _check_keys(top, known)
    rows = _rows(top, "subscriptions")
    customers: list[str | int] = []
    found: list[int] = []
    values: list[float] = []
    seen: dict[tuple[str | int, int], int] = {}
    for i, raw in enumerate(rows):
        where = f"subscriptions[{i}]"
        row = _object(raw, where)
        customer = _identifier(row.get("customer_id"), f"{where}.customer_id")
        month = month_index(row.get("month"), f"{where}.month")
        if (customer, month) in seen:
            raise AnalysisInputError(
                f"{where} repeats subscriptions[{seen[customer, month]}] (customer {customer!r}, {row['month']})",
                hint="Give one row per customer and month, with the customer's total MRR.",
            )
        seen[customer, month] = i
        customers.append(customer)
        found.append(month)
        values.append(_amount(row.get("mrr"), f"{where}.mrr"))
    return _panel(top, "subscriptions", found, customers, values)


def read_mrr(data: object) -> MrrInput:
    """Check an MRR-movements input (subscriptions and optional NRR/GRR ``windows``).

    Raises:
        AnalysisInputError: The first problem found, naming its row.
    """
    panel = read_subscriptions(data, MRR_KEYS)
    windows: list[tuple[int, int]] = []
    for i, raw in enumerate(_rows(_object(data, "the input"), "windows", required=False)):
        where = f"windows[{i}]"
        row = _object(raw, where)
        start = month_index(row.get("start_month"), f"{where}.start_month") - panel.first_month
        end = month_index(row.get("end_month"), f"{where}.end_month") - panel.first_month
        for name, offset in (("start_month", start), ("end_month", end)):
            if not 0 <= offset < panel.n_months:
                raise AnalysisInputError(
                    f"{where}.{name} {row[name]!r} is outside months",
                    hint="Windows must lie within the months of data.",
                )
        if end < start:
            raise AnalysisInputError(
                f"{where}.end_month {row['end_month']!r} is before start_month {row['start_month']!r}",
                hint="Swap them.",
            )
        windows.append((start, end))
    return MrrInput(panel, windows)
