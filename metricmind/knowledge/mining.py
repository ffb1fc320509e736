"""Usage → proposals: new metrics, new dimensions and deprecations, plus popularity and trends.

Pure reads of the store and the model; ``nightly`` records the result and writes the review branch.

- A **new metric** is a query pattern (fingerprint) called ``min_calls`` times or more in the last
  ``window_days`` days whose aggregate no metric computes. Its definition is inferred from the facts:
  the semantic model of the aggregated table, the measure (an existing one with the same aggregation
  and expression, or a new one), the filters every sample query applies (as ``Dimension`` filters),
  and the dimensions it is grouped by.
- A **new dimension** is a column of a semantic model's table that queries computing a metric group
  by, ``min_calls`` times or more, and that the semantic model does not declare.
- A **deprecation** is a metric nothing used (directly or through a metric built on it) for
  ``deprecate_after_days`` days, when the log reaches back that far.

The miner is one class put together from ``minerbase`` (its settings, confidence), ``newmetrics`` (new
metric proposals) and ``signals`` (new dimensions, deprecations, popularity, trends); the proposals
themselves are in ``proposal``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from metricmind.knowledge.newmetrics import NewMetrics
from metricmind.knowledge.proposal import PREFIX, Mined, Proposal, proposal_id
from metricmind.knowledge.schema import fingerprints, usage_daily
from metricmind.knowledge.signals import Signals
from metricmind.querylog import QueryFacts

__all__ = ["PREFIX", "Mined", "Miner", "Proposal", "proposal_id"]


def _fps_in_window(conn: sa.Connection, start: dt.date, end: dt.date) -> dict[str, int]:
    total = sa.func.sum(usage_daily.c.calls)
    rows = conn.execute(
        sa.select(usage_daily.c.fingerprint, total)
        .where(usage_daily.c.day > start, usage_daily.c.day <= end)
        .group_by(usage_daily.c.fingerprint)
    )
    return {fp: int(n) for fp, n in rows}


class Miner(NewMetrics, Signals):
    """Finds proposals for one model (its settings: ``MinerBase``)."""

    def mine(self, engine: sa.Engine, as_of: dt.date) -> Mined:
        """Proposals, popularity and trends as of the end of day ``as_of``."""
        start = as_of - dt.timedelta(days=self.window_days)
        with engine.connect() as conn:
            calls = _fps_in_window(conn, start, as_of)
            rows: list[Any] = []
            keys = [fp for fp in sorted(calls)]
            for i in range(0, len(keys), 400):
                rows += conn.execute(
                    sa.select(fingerprints).where(fingerprints.c.fingerprint.in_(keys[i : i + 400]))
                ).all()
            first_day = conn.execute(sa.select(sa.func.min(usage_daily.c.day))).scalar()
            popular = {k: self._popular(conn, k, start, as_of) for k in ("metrics", "dimensions", "tables")}
            trending = self._trending(conn, as_of)
            used = self._used_metrics(conn, as_of - dt.timedelta(days=self.deprecate_after_days), as_of)
        history = (as_of - first_day).days + 1 if first_day is not None else 0
        metric_props: dict[str, Proposal] = {}
        dim_props: dict[str, Proposal] = {}
        for row in sorted(rows, key=lambda r: r.fingerprint):
            n = calls.get(row.fingerprint, 0)
            facts = QueryFacts.from_dict(row.facts)
            if not facts.ok or facts.kind != "select":
                continue
            samples = [QueryFacts.from_dict(row.facts)] + [
                self.analyzer.analyze(s, row.dialect) for s in row.samples[1:]
            ]
            if n >= self.min_calls:
                for prop in self._metric_proposals(row, facts, samples, n):
                    self._merge(metric_props, prop)
            for prop in self._dimension_proposals(row, facts, n):
                self._merge(dim_props, prop)
        out = [p for p in metric_props.values()]
        out += [p for p in dim_props.values() if int(p.evidence["calls"]) >= self.min_calls]
        if history >= self.deprecate_after_days:
            out += self._deprecations(used, as_of)
        for p in out:
            p.confidence = round(p.confidence, 2)
        out.sort(key=lambda p: (p.kind, -p.confidence, p.name))
        return Mined(out, popular, trending, (start.isoformat(), as_of.isoformat()), history)

    # -- merging ---------------------------------------------------------------------------------
    @staticmethod
    def _merge(found: dict[str, Proposal], prop: Proposal) -> None:
        old = found.get(prop.key)
        if old is None:
            found[prop.key] = prop
            return
        ev, new = old.evidence, prop.evidence
        ev["calls"] += new["calls"]
        ev["users"] = sorted(set(ev["users"]) | set(new["users"]))
        ev["fingerprints"] = sorted(set(ev["fingerprints"]) | set(new["fingerprints"]))
        ev["sample_queries"] = (
            ev["sample_queries"] + [s for s in new["sample_queries"] if s not in ev["sample_queries"]]
        )[:3]
        if "metrics" in ev:
            ev["metrics"] = sorted(set(ev["metrics"]) | set(new["metrics"]))
        old.confidence = max(old.confidence, prop.confidence)
