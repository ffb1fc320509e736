"""Score the resolver on the blind-written question sets in ``tests/resolve/blind/`` (issue 14).

The sets use their own format (``expect: {answerable, metrics, group_by, time_range, filters, order_by,
limit, comparison}``; see ``blind/README.md``). Metrics, group-bys and filters compare as sets. A question
that must be refused counts as right when the resolver refuses it. ``blind.yml`` is scored only: its misses
are never shown (``Score.report(show_misses=False)``), so nobody tunes the resolver on it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metricmind.resolve import Resolver
from metricmind.resolve.resolution import Resolution
from metricmind.spec.model import Grain

HERE = Path(__file__).with_name("blind")
DEV, BLIND = HERE / "dev.yml", HERE / "blind.yml"
DEV2, BLIND2 = HERE / "dev2.yml", HERE / "blind2.yml"
"""The second code-blind author's sets: ``dev2.yml`` (tune on it) and ``blind2.yml`` (scored only)."""
DEV3, BLIND3 = HERE / "dev3.yml", HERE / "blind3.yml"
"""The third code-blind author's sets (2026-12-05): ``dev3.yml`` (tune on it) and ``blind3.yml`` (scored only);
either may be absent until its author lands it (``present`` says which are there)."""
DEV4, BLIND4 = HERE / "dev4.yml", HERE / "blind4.yml"
"""The fourth code-blind author's sets (qset4, 2026-12-05): ``dev4.yml`` (tune on it) and ``blind4.yml`` (scored
only); either may be absent until its author lands it."""
DEV5, BLIND5 = HERE / "dev5.yml", HERE / "blind5.yml"
"""The fifth code-blind author's sets (qset5, 2026-12-06): ``dev5.yml`` (tune on it) and ``blind5.yml`` (scored
only); either may be absent until its author lands it."""
DEV6, BLIND6 = HERE / "dev6.yml", HERE / "blind6.yml"
"""The sixth code-blind author's sets (hwq6, 2026-12-06): ``dev6.yml`` (tune on it) and ``blind6.yml`` (scored
only); either may be absent until its author lands it."""
DEV7, BLIND7 = HERE / "dev7.yml", HERE / "blind7.yml"
"""The seventh code-blind author's sets (qset7, 2026-12-07): ``dev7.yml`` (tune on it) and ``blind7.yml`` (scored
only); either may be absent until its author lands it."""
DEV8, BLIND8 = HERE / "dev8.yml", HERE / "blind8.yml"
"""The eighth code-blind author's sets (qset8, 2026-12-07; voices of a head of customer success, a growth marketer,
an FP&A analyst and a CEO): ``dev8.yml`` (tune on it) and ``blind8.yml`` (scored only)."""
DEV9, BLIND9 = HERE / "dev9.yml", HERE / "blind9.yml"
"""The ninth code-blind author's sets (qset9, 2026-12-07; voices of a RevOps manager, a data analyst in their first
week, a customer-support lead and a board member): ``dev9.yml`` (tune on it) and ``blind9.yml`` (scored only)."""
TUNING = (DEV, DEV2, DEV3, DEV4, DEV5, DEV6, DEV7, DEV8, DEV9)
"""The splits one may tune on (their misses may be shown)."""
SCORED_ONLY = (BLIND, BLIND2, BLIND3, BLIND4, BLIND5, BLIND6, BLIND7, BLIND8, BLIND9)
"""The splits scored only: their misses are never shown, and nobody reads them to choose a change."""
COMPONENTS = ("answerable", "metrics", "group_by", "time_range", "filters", "order_by", "limit", "comparison")
ATTRIBUTION = "ANY_ATTRIBUTION"  # the set's placeholder: any attribution metric is right
CONFORMED = {"marketing_channel__name": "customer__acquisition_channel"}
"""The demo's conformed channel (shared by ad spend and customers, for CAC by channel) under the name the
set's README expects for it ("map it when scoring"): the same channels, the customer's acquisition side.
"""
SPEND_METRICS = frozenset({"marketing_spend"})
SPEND_CHANNEL = {"ad_spend__channel": "customer__acquisition_channel"}
"""Spend's own channel, which the metric's business rules name for spend by channel: on a question about
spend alone it gives the same rows as the conformed channel (checked on the demo), so it scores as it."""


def present(paths: tuple[Path, ...]) -> list[Path]:
    """The splits of ``paths`` that exist."""
    return [p for p in paths if p.exists()]


def load(path: Path) -> list[dict[str, Any]]:
    """The items of one split."""
    return list(yaml.safe_load(path.read_text()) or [])


def expected(item: dict[str, Any]) -> dict[str, Any]:
    """The expected components of one item, in the comparable form of :func:`actual`."""
    want = item.get("expect") or {}
    if not want.get("answerable", True):
        return {"answerable": False}
    rng = want.get("time_range")
    return {
        "answerable": True,
        "metrics": frozenset(want.get("metrics") or ()),
        "group_by": frozenset(want.get("group_by") or ()),
        "time_range": (str(rng[0]), str(rng[1])) if rng else None,
        "filters": frozenset(_want_filter(f) for f in want.get("filters") or ()),
        "order_by": tuple(want.get("order_by") or ()),
        "limit": want.get("limit"),
        "comparison": want.get("comparison"),
    }


def actual(answer: dict[str, Any]) -> dict[str, Any]:
    """The components of a resolver answer (``Resolution.to_dict()``)."""
    if not answer["answerable"]:
        return {"answerable": False}
    rng = answer["time_range"]
    conformed = {**CONFORMED, **SPEND_CHANNEL} if set(answer["metrics"]) <= SPEND_METRICS else CONFORMED
    return {
        "answerable": True,
        "metrics": frozenset(answer["metrics"]),
        "group_by": frozenset(
            conformed.get(g["name"], g["name"]) + (f"__{g['grain']}" if g["grain"] else "")
            for g in answer["group_by"]
        ),
        "time_range": (rng["start"], rng["end"]) if rng else None,
        "filters": frozenset(_got_filter(f, conformed) for f in answer["filters"]),
        "order_by": tuple(("-" if o["desc"] else "") + o["name"] for o in answer["order_by"]),
        "limit": answer["limit"],
        "comparison": answer["comparison"],
    }


_OPS = {"=": "=", "==": "=", "!=": "!=", "<>": "!=", "in": "in", "not in": "not in", "not_in": "not in"}


def _want_filter(f: dict[str, Any]) -> tuple[Any, ...]:
    if "metric_filter" in f:
        m = f["metric_filter"]
        return ("metric", str(m["metric"]), tuple(m.get("group_by") or ()), str(m["op"]), float(m["value"]))
    values = tuple(sorted(str(v) for v in f.get("values") or ()))
    op = _OPS.get(str(f["op"]).lower(), str(f["op"]))
    if op == "in" and len(values) == 1:
        op = "="
    if op == "not in" and len(values) == 1:
        op = "!="
    return ("dimension", str(f["dimension"]), op, values)


def _got_filter(f: dict[str, Any], conformed: dict[str, str] = CONFORMED) -> tuple[Any, ...]:
    if f.get("metric"):  # a metric filter (when the resolver produces one)
        return ("metric", str(f["metric"]), tuple(f.get("group_by") or ()), str(f["op"]), float(f["value"]))
    values = f.get("values") if f.get("values") else [f.get("value")]
    vals = tuple(sorted(str(v) for v in values or ()))
    op = _OPS.get(str(f["op"]).lower(), str(f["op"]))
    if op == "in" and len(vals) == 1:
        op = "="
    if op == "not in" and len(vals) == 1:
        op = "!="
    return ("dimension", conformed.get(str(f["field"]), str(f["field"])), op, vals)


def _same(component: str, want: Any, got: Any) -> bool:
    if component == "metrics" and want and ATTRIBUTION in want:
        if not isinstance(got, frozenset):
            return False
        rest = want - {ATTRIBUTION}
        extra = got - rest
        return rest <= got and len(extra) == 1 and "attributed" in next(iter(extra))
    return bool(want == got)


@dataclass
class Score:
    """Per-component and whole-question accuracy, calibration, and (for the dev split) the misses."""

    total: int = 0
    exact: int = 0
    right: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    confident: list[int] = field(default_factory=lambda: [0, 0])  # [right, total] at confidence >= 0.8
    refusals_low: list[int] = field(default_factory=lambda: [0, 0])  # refusals with confidence < 0.5
    misses: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    scored_only: bool = False  # a blind split: its misses are never shown, whatever the caller asks

    def accuracy(self, component: str | None = None) -> float:
        """Exact share (whole questions, or one component)."""
        hits = self.exact if component is None else self.right[component]
        return hits / self.total if self.total else 0.0

    def report(self, *, show_misses: bool) -> str:
        """Figures (and the misses, for a split one may tune on)."""
        lines = [f"questions: {self.total}", f"exact match: {self.accuracy():.1%}"]
        lines += [f"  {c}: {self.accuracy(c):.1%}" for c in COMPONENTS]
        right, total = self.confident
        lines.append(f"  confidence >= 0.8: {right}/{total} right ({right / total if total else 0:.1%})")
        low, refused = self.refusals_low
        lines.append(f"  refusals with confidence < 0.5: {low}/{refused}")
        for kind, (hits, n) in sorted(self.by_kind.items()):
            lines.append(f"  kind {kind}: {hits}/{n}")
        if show_misses and not self.scored_only:
            for qid, q, want, got in self.misses:
                diff = {
                    k: (want.get(k), got.get(k))
                    for k in want.keys() | got.keys()
                    if want.get(k) != got.get(k)
                }
                detail = "; ".join(f"{k}: want {_show(w)} got {_show(g)}" for k, (w, g) in diff.items())
                lines.append(f"MISS {qid} {q!r}: {detail}")
        return "\n".join(lines)


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return repr(sorted(value, key=str))
    return repr(value)


def _at_grain(want: dict[str, Any], resolver: Resolver) -> dict[str, Any]:
    """The sets' convention for a period inside one period of the data's grain ("rn", "this wk" on a
    snapshot kept by month: the set writes ``[as_of, as_of + 1)``, which has no row) compared as the
    answer a person gets: that grain's period so far (see ``metricmind/resolve/coarse.py``, README).
    """
    rng, metrics = want.get("time_range"), want.get("metrics") or ()
    grains = {resolver.model.min_grain(m) for m in metrics if m in resolver.model.metrics}
    if not rng or want.get("comparison") or grains != {Grain.MONTH}:
        return want
    start, end = dt.date.fromisoformat(rng[0]), dt.date.fromisoformat(rng[1])
    last = end - dt.timedelta(days=1)
    if start.day == 1 or (start.year, start.month) != (last.year, last.month):
        return want
    return {**want, "time_range": (start.replace(day=1).isoformat(), rng[1])}


def score(resolver: Resolver, path: Path) -> Score:
    """Resolve every question of a split and compare."""
    scored_only = path in SCORED_ONLY or path.name.startswith("blind")
    return score_items(resolver, load(path), scored_only=scored_only)


def judge(
    resolver: Resolver, item: dict[str, Any], as_of: str = "2025-06-18"
) -> tuple[Resolution, bool, dict[str, Any], dict[str, Any], dict[str, bool]]:
    """One item resolved (``as_of`` unless it has its own) and compared: the resolution, whether it is right,
    the expected and actual components, and which components matched."""
    as_of_day = dt.date.fromisoformat(str(item.get("as_of") or as_of))
    resolution = resolver.resolve(str(item["q"]), as_of=as_of_day)
    got, want = actual(resolution.to_dict()), _at_grain(expected(item), resolver)
    same = {
        c: _same(c, want.get(c), got.get(c))
        if want["answerable"] or c == "answerable"
        else not got["answerable"]
        for c in COMPONENTS
    }
    return resolution, all(same.values()), want, got, same


def score_items(
    resolver: Resolver, items: list[dict[str, Any]], *, scored_only: bool, as_of: str = "2025-06-18"
) -> Score:
    """Resolve every question of ``items`` (``as_of`` unless an item has its own) and compare; the
    foreign projects' bench (``bench/resolve_foreign.py``) scores each project's items with it."""
    s = Score(scored_only=scored_only)
    for item in items:
        resolution, ok, want, got, same = judge(resolver, item, as_of)
        for c in COMPONENTS:
            s.right[c] += same[c]
        s.total += 1
        s.exact += ok
        kind = str(item.get("kind") or "other")
        hits = s.by_kind.setdefault(kind, [0, 0])
        hits[0] += ok
        hits[1] += 1
        confidence = round(resolution.confidence, 2)
        if got["answerable"] and confidence >= 0.8:
            s.confident[0] += ok
            s.confident[1] += 1
        if not got["answerable"]:
            s.refusals_low[0] += confidence < 0.5
            s.refusals_low[1] += 1
        if not ok:
            s.misses.append((str(item.get("id")), str(item["q"]), want, got))
    return s
