"""Project-neutral suggestions for the interfaces: follow-up breakdowns of an answer and a Define example.

Derived from the loaded project only (its dimensions, their distinct values, its metrics), never from the
demo's names, so another company's project gets suggestions in its own words.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metricmind.compiler.values import FLAG_PREFIXES
from metricmind.project.results import DimensionInfo
from metricmind.spec.model import Metric, Model
from metricmind.spec.names import SEP

log = logging.getLogger(__name__)

MAX_VALUES = 12  # a breakdown worth suggesting has a few groups, not hundreds
SKIPPED = (
    "name",
    "id",
    "email",
    "country",
)  # labels and fine-grained places make long, unreadable breakdowns


def follow_up_dimensions(
    infos: Sequence[DimensionInfo],
    values: Mapping[str, Sequence[str]],
    reachable: Callable[[str], bool],
    limit: int = 5,
    usage: Mapping[str, int] | None = None,
) -> list[str]:
    """The categorical dimensions to suggest as follow-up breakdowns, best first, at most ``limit``.

    ``infos`` are one metric's dimensions, ``values`` the distinct values of those that declare none
    (``Project.dimension_values()``), ``reachable`` tells whether every metric of the answer reaches a name.
    Kept: one join away, not a flag or a label, 2 to ``MAX_VALUES`` values; ordered by fewer values (two-valued
    ones after the rest), then name (deterministic). Dimensions whose values are unknown come last, in name order.
    With ``usage`` (how often the query log grouped the answer's metrics by each dimension:
    :func:`query_log_usage`), the kept dimensions people used come first, most used first (ties in the
    order above), then the rest in that order; without it, or when none was used, the order above.
    """
    counted: list[tuple[int, str]] = []
    unknown: list[str] = []
    for info in infos:
        parts = info.name.split(SEP)
        if info.type != "categorical" or len(parts) != 2:
            continue
        if parts[1].startswith(FLAG_PREFIXES) or parts[1] in SKIPPED or not reachable(info.name):
            continue
        declared = info.meta.get("values")
        found = declared if isinstance(declared, (list, dict)) and declared else values.get(info.name)
        if found is None:
            unknown.append(info.name)
        elif 2 <= len(found) <= MAX_VALUES:
            counted.append((len(found), info.name))
    ranked = [name for _, name in sorted(counted, key=lambda c: (c[0] == 2, c[0], c[1]))] + sorted(unknown)
    if usage:
        place = {name: i for i, name in enumerate(ranked)}
        ranked.sort(key=lambda name: (-int(usage.get(name, 0)), place[name]))
    return ranked[:limit]


def query_log_usage(url: str, metrics: Sequence[str]) -> dict[str, int]:
    """How often the knowledge graph's query log grouped ``metrics`` by each dimension (the weights
    :func:`follow_up_dimensions` ranks by), read from the project store at ``url``; empty — never an error —
    when the store does not exist, has no knowledge graph yet, or cannot be read.
    """
    from metricmind.knowledge.graph import dimension_uses
    from metricmind.storage import make_engine

    if not metrics:
        return {}
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return {}  # no store: nothing was logged (and reading must not create one)
    engine = make_engine(url)
    try:
        return dimension_uses(engine, metrics)
    except sa.exc.SQLAlchemyError as exc:  # no knowledge tables yet, a server down
        log.info("follow-ups ranked without the query log: %s", exc)
        return {}
    finally:
        engine.dispose()


def define_example(model: Model) -> dict[str, Any] | None:
    """An example for the Define form from the project's own metrics, as ``{name, metric, label, definition,
    rules}``: a certified (else published) metric with a description, one whose filters read as rules first
    (they show the rule reading), then by name. Named ``my_<metric>`` so saving it clashes with nothing; the
    definition is the description's first sentence. None when the project has no described metric.
    """
    rank = {"certified": 0, "published": 1}

    def status(m: Metric) -> str:
        return str(m.meta.get("status") or "published").strip().lower()

    shown = [(m, _rules(m)) for m in model.metrics.values() if m.description.strip() and status(m) in rank]
    if not shown:
        return None
    best, rules = min(shown, key=lambda mr: (rank[status(mr[0])], not mr[1], mr[0].name))
    text = " ".join(best.description.split())
    return {
        "name": f"my_{best.name}",
        "metric": best.name,
        "label": best.label or best.name.replace("_", " "),
        "definition": text.split(". ")[0].rstrip("."),
        "rules": rules,
    }


_REF = re.compile(r"\{\{\s*(?:Dimension|TimeDimension|Entity)\(\s*'([^']+)'[^}]*\}\}")
_EQUALS = re.compile(r"^([a-z][a-z ]*) = (true|false|'([^']{1,60})')$", re.I)


def _rules(metric: Metric) -> list[str]:
    """The metric's filters that read as plain rules, at most three."""
    return [rule for rule in (_rule(w.sql) for w in metric.filter) if rule][:3]


def _rule(sql: str) -> str:
    """A filter in plain words, or "" when it does not read simply: ``{{ Dimension('invoice__is_paid') }} =
    true`` → ``Only paid``, ``… is_trial … = false`` → ``Exclude trial``, ``… status … = 'canceled'`` →
    ``Only status canceled``.
    """
    text = " ".join(_REF.sub(lambda m: m.group(1).split(SEP)[-1].replace("_", " "), sql).split())
    found = _EQUALS.match(text)
    if not found:
        return ""
    words, value = found.group(1), found.group(2).lower()
    if value in ("true", "false"):
        words = re.sub(r"^(is|has|was|had) ", "", words)
        return f"Only {words}" if value == "true" else f"Exclude {words}"
    return f"Only {words} {found.group(3)}"
