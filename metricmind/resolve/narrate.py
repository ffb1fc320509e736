"""An answer the way an analyst gives it: the figures, the change, the dates used, what to ask next.

Pure formatting over rows already fetched (``metricmind ask --run`` and the web Ask box run the
queries and hand the rows here).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from metricmind.resolve.analyst import (
    assumptions,
    is_snapshot,
    period,
    reading_in_words,
    spell_range,
    totals,
    trend,
)
from metricmind.resolve.resolution import Resolution
from metricmind.spec.model import Model
from metricmind.spec.names import METRIC_TIME

MAX_ROWS = 25


@dataclass(frozen=True)
class Rows:
    """Columns and rows of one executed query."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


def fmt_value(value: Any, unit: str | None) -> str:
    """A figure for people: ``$1,234,567``, ``12.3%``, ``4,210``."""
    if value is None:
        return "–"
    if isinstance(value, decimal.Decimal):
        value = float(value)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    v = float(value)
    if unit == "currency":
        return f"-${abs(v):,.0f}" if v < 0 else f"${v:,.0f}"
    if unit == "ratio":
        return f"{v * 100:.1f}%"
    if unit == "percent":
        return f"{v:.1f}%"
    if v.is_integer():
        return f"{int(v):,}"
    return f"{v:,.2f}"


def change(now: Any, before: Any, unit: str | None) -> str:
    """``+5.3%`` (or percentage points for rates); empty when either side is missing."""
    now, before = (float(x) if isinstance(x, decimal.Decimal) else x for x in (now, before))
    if not isinstance(now, (int, float)) or not isinstance(before, (int, float)):
        return ""
    if unit in ("ratio", "percent"):
        scale = 100.0 if unit == "ratio" else 1.0
        return f"{(now - before) * scale:+.1f} pts"
    if before == 0:
        return ""
    return f"{(now - before) / abs(before) * 100:+.1f}%"


def date_span(rng: tuple[dt.date, dt.date]) -> str:
    """The dates spelled out: ``Q2 2026 (1 April to 30 June 2026)``, ``May 2026`` (the end inclusive)."""
    return spell_range(*rng)


def narrate(
    res: Resolution,
    model: Model,
    main: Rows,
    previous: Rows | None = None,
    follow_ups: Sequence[str] = (),
) -> str:
    """The answer text of an executed resolution."""
    units = {m: str(model.metrics[m].meta.get("unit") or "") for m in res.metrics if m in model.metrics}
    labels = {m: model.metrics[m].label or m for m in res.metrics if m in model.metrics}
    keys = [c for c in main.columns if c not in res.metrics]
    lines: list[str] = []
    prev_index: dict[tuple[Any, ...], Sequence[Any]] = {}
    if previous is not None:
        pkeys = [previous.columns.index(k) for k in keys if k in previous.columns]
        prev_index = {tuple(r[i] for i in pkeys): r for r in previous.rows}
    comp_rng = res.comparison_dates()
    reading = reading_in_words(res, model)
    if reading:
        lines += [f"Reading: {reading}", ""]
    if not keys and len(main.rows) == 1:
        row = main.rows[0]
        for m in res.metrics:
            i = list(main.columns).index(m)
            text = f"{labels[m]}: {fmt_value(row[i], units[m])}"
            if previous is not None and previous.rows and comp_rng is not None:
                before = previous.rows[0][list(previous.columns).index(m)]
                delta = change(row[i], before, units[m])
                text += (
                    f" ({delta} vs {fmt_value(before, units[m])} for {date_span(comp_rng)})" if delta else ""
                )
            lines.append(text)
    else:
        header = [*keys, *(labels[m] for m in res.metrics)]
        if previous is not None:
            header += [f"{labels[m]} before" for m in res.metrics] + ["change"]
        table: list[list[str]] = [header]
        for row in main.rows[:MAX_ROWS]:
            cells = [_cell(row[list(main.columns).index(k)]) for k in keys]
            cells += [fmt_value(row[list(main.columns).index(m)], units[m]) for m in res.metrics]
            if previous is not None:
                before_row = prev_index.get(tuple(row[list(main.columns).index(k)] for k in keys))
                olds = [
                    before_row[list(previous.columns).index(m)] if before_row else None for m in res.metrics
                ]
                cells += [fmt_value(o, units[m]) for o, m in zip(olds, res.metrics, strict=True)]
                m0 = res.metrics[0]
                cells.append(change(row[list(main.columns).index(m0)], olds[0], units[m0]))
            table.append(cells)
        total = totals(res, model, main.columns, main.rows)
        if total and keys:
            cells = ["Total", *([""] * (len(keys) - 1))]
            cells += [fmt_value(total[m], units[m]) if m in total else "" for m in res.metrics]
            if previous is not None:
                before = totals(res, model, previous.columns, previous.rows)
                cells += [fmt_value(before[m], units[m]) if m in before else "" for m in res.metrics]
                m0 = res.metrics[0]
                cells.append(change(total[m0], before[m0], units[m0]) if m0 in total and m0 in before else "")
            table.append(cells)
        lines += _table(table)
        grain = next((g for n, g in res.group_by if n == METRIC_TIME), None)
        for m, t in trend(res, main.columns, main.rows).items():
            (t0, v0), (t1, v1), (tp, vp) = t["first"], t["last"], t["previous"]
            text = f"{labels[m]} went from {fmt_value(v0, units[m])} in {period(t0, grain)} to {fmt_value(v1, units[m])} in {period(t1, grain)}"
            across = change(v1, v0, units[m])
            last = change(v1, vp, units[m])
            text += f", {across} over the period" if across else ""
            text += f"; the last period changed {last} against {period(tp, grain)}." if last else "."
            lines.append(text)
        if len(main.rows) > MAX_ROWS:
            lines.append(f"… {len(main.rows) - MAX_ROWS} more rows (use --json or metricmind query for all)")
        if not main.rows:
            lines.append("(no rows: nothing was recorded for this selection)")
    lines.append("")
    when = f"Dates: {date_span(res.time_range)}" if res.time_range else "Dates: all recorded history"
    if comp_rng is not None:
        when += f"; compared with {date_span(comp_rng)} ({(res.comparison or '').replace('_', ' ')})"
    lines.append(when + f" (as of {res.as_of.isoformat()}).")
    for f in res.filters:
        lines.append(f"Filter: {f.field} {f.op} {', '.join(f.values)}")
    for a in assumptions(res, model):
        if "is a snapshot" not in a:  # said below, with the metrics it concerns
            lines.append(f"Assumed: {a}")
    snapshots = [labels[m] for m in res.metrics if is_snapshot(model, m)]
    if snapshots and not res.uses_time:
        lines.append(
            f"{', '.join(snapshots)}: a snapshot, so the figure is its value on the last day with data in "
            "these dates, not a sum over them."
        )
    for m in res.metrics:
        definition = str(
            model.metrics[m].meta.get("definition") or model.metrics[m].description or ""
        ).strip()
        if definition:
            lines.append(f"{labels[m]}: {definition}")
    if follow_ups:
        lines.append("")
        lines.append("You could also ask:")
        lines += [f'  metricmind ask "{q}"' for q in follow_ups]
    return "\n".join(lines)


def follow_ups(res: Resolution, model: Model, dimensions: Sequence[str], time_words: str) -> list[str]:
    """Two or three next questions: a trend, a breakdown not used yet, a year-on-year comparison."""
    if not res.metrics:
        return []
    label = model.metrics[res.metrics[0]].label or res.metrics[0]
    grouped = {n for n, _ in res.group_by}
    out: list[str] = []
    suffix = f" {time_words}" if time_words else ""
    if METRIC_TIME not in grouped:
        out.append(f"{label} by month{suffix}")
    for d in dimensions:
        if d not in grouped and all(f.field != d for f in res.filters):
            out.append(f"{label} by {d.split('__')[-1].replace('_', ' ')}{suffix}")
            break
    if res.comparison is None and res.time_range is not None:
        out.append(f"{label}{suffix} vs the same period last year")
    return out[:3]


def _cell(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return "–" if value is None else str(value)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = ["  ".join(c.ljust(w) for c, w in zip(rows[0], widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows[1:]]
    return out
