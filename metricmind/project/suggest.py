"""Project-neutral suggestions for the interfaces: follow-up breakdowns of an answer and a Define example.

Derived from the loaded project only (its dimensions, their distinct values, its metrics), never from the
demo's names, so another company's project gets suggestions in its own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from metricmind.compiler.values import FLAG_PREFIXES
from metricmind.project.results import DimensionInfo
from metricmind.spec.model import Model
from metricmind.spec.names import SEP

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
) -> list[str]:
    """The categorical dimensions to suggest as follow-up breakdowns, best first, at most ``limit``.

    ``infos`` are one metric's dimensions, ``values`` the distinct values of those that declare none
    (``Project.dimension_values()``), ``reachable`` tells whether every metric of the answer reaches a name.
    Kept: one join away, not a flag or a label, 2 to ``MAX_VALUES`` values; ordered by fewer values (two-valued
    ones after the rest), then name (deterministic). Dimensions whose values are unknown come last, in name order.
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
    return ranked[:limit]


def define_example(model: Model) -> dict[str, Any] | None:
    """An example for the Define form from the project's own metrics: the first certified (else published)
    metric with a description, as ``{name, metric, label, definition, rules}`` (``my_<metric>`` so saving it
    clashes with nothing; rules from its filter, if any); None when
    the project has no described metric to show.
    """
    rank = {"certified": 0, "published": 1}
    shown = [
        m
        for m in model.metrics.values()
        if m.description.strip() and str(m.meta.get("status") or "published").strip().lower() in rank
    ]
    if not shown:
        return None
    best = min(shown, key=lambda m: (rank[str(m.meta.get("status") or "published").strip().lower()], m.name))
    text = " ".join(best.description.split())
    definition = text.split(". ")[0].rstrip(".")
    rules = [rule for rule in (_rule(w.sql) for w in best.filter) if rule][:3]
    return {
        "name": f"my_{best.name}",
        "metric": best.name,
        "label": best.label or best.name.replace("_", " "),
        "definition": definition,
        "rules": rules,
    }


_REF = re.compile(r"\{\{\s*(?:Dimension|TimeDimension|Entity)\(\s*'([^']+)'[^}]*\}\}")


def _rule(sql: str) -> str:
    """A filter in plain words: ``{{ Dimension('subscription__is_trial') }} = false`` → ``is trial = false``."""
    text = _REF.sub(lambda m: m.group(1).split(SEP)[-1].replace("_", " "), sql)
    text = " ".join(text.split())
    return "" if "{{" in text or len(text) > 200 else f"Only where {text}"
