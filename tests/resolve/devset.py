"""Score the resolver on ``devset.yml``: exact match per component and for whole questions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from metricmind.resolve import Resolver

DEVSET = Path(__file__).with_name("devset.yml")
COMPONENTS = ("answerable", "metrics", "group_by", "time_range", "filters", "order_by", "limit", "comparison")


def load(path: Path = DEVSET) -> tuple[dt.date, list[dict[str, Any]]]:
    """The default as_of and the questions of the set."""
    data = yaml.safe_load(path.read_text())
    return dt.date.fromisoformat(str(data["as_of"])), list(data["questions"])


def expected(item: dict[str, Any]) -> dict[str, Any]:
    """The expected components of one question, in the comparable form of ``actual``."""
    answerable = item.get("answerable", True)
    out: dict[str, Any] = {"answerable": answerable}
    if not answerable:
        return out
    rng = item.get("time_range")
    out.update(
        metrics=list(item.get("metrics") or []),
        group_by=sorted(item.get("group_by") or []),
        time_range=tuple(rng) if rng else None,
        filters=sorted(_filter(f) for f in item.get("filters") or []),
        order_by=list(item.get("order_by") or []),
        limit=item.get("limit"),
        comparison=item.get("comparison"),
    )
    return out


def actual(answer: dict[str, Any]) -> dict[str, Any]:
    """The components of a resolver answer (``ask --json`` shape)."""
    out: dict[str, Any] = {"answerable": answer["answerable"]}
    if not answer["answerable"]:
        return out
    rng = answer["time_range"]
    out.update(
        metrics=list(answer["metrics"]),
        group_by=sorted(g["name"] + (f"__{g['grain']}" if g["grain"] else "") for g in answer["group_by"]),
        time_range=(rng["start"], rng["end"]) if rng else None,
        filters=sorted(_filter(f) for f in answer["filters"]),
        order_by=[("-" if o["desc"] else "") + o["name"] for o in answer["order_by"]],
        limit=answer["limit"],
        comparison=answer["comparison"],
    )
    return out


def _filter(f: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    values = f.get("values") if f.get("op") == "in" else [f.get("value")]
    return (str(f["field"]), str(f["op"]), tuple(sorted(str(v) for v in values or [])))


@dataclass
class Score:
    """Per-component and whole-question accuracy, with the misses."""

    total: int = 0
    exact: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COMPONENTS, 0))
    misses: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def accuracy(self, component: str | None = None) -> float:
        hits = self.exact if component is None else self.right[component]
        return hits / self.total if self.total else 0.0

    def report(self) -> str:
        lines = [f"questions: {self.total}", f"exact match: {self.accuracy():.1%}"]
        lines += [f"  {c}: {self.accuracy(c):.1%}" for c in COMPONENTS]
        for q, want, got in self.misses:
            diff = {
                k: (want.get(k), got.get(k)) for k in want.keys() | got.keys() if want.get(k) != got.get(k)
            }
            lines.append(
                f"MISS {q!r}: " + "; ".join(f"{k}: want {w!r} got {g!r}" for k, (w, g) in diff.items())
            )
        return "\n".join(lines)


def score(resolver: Resolver, path: Path = DEVSET) -> Score:
    """Resolve every question of the set and compare."""
    as_of, items = load(path)
    s = Score()
    for item in items:
        day = dt.date.fromisoformat(str(item["as_of"])) if item.get("as_of") else as_of
        got = actual(resolver.resolve(item["q"], as_of=day).to_dict())
        want = expected(item)
        s.total += 1
        ok = True
        for c in COMPONENTS:
            # a refusal counts as right on every component when a refusal was expected
            same = (
                got.get(c) == want.get(c)
                if want["answerable"] or c == "answerable"
                else not got["answerable"]
            )
            s.right[c] += same
            ok &= same
        s.exact += ok
        if not ok:
            s.misses.append((item["q"], want, got))
    return s
