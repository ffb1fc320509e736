"""The metric items a composed proposal writes (a simple metric, a ratio, their ``config.meta``) and the
scale a definition states with numbers ("(0 to 100)").
"""

from __future__ import annotations

import re
from typing import Any

from metricmind.define.proposal import Definition
from metricmind.define.terms import Term

#: An explicit scale: "(0 to 100)", "between 0 and 1", "from zero to one hundred".
SCALE = re.compile(r"\b(?:0|zero)\s*(?:to|and|-|–)\s*(1|one|100|one hundred)\b", re.IGNORECASE)


def said_scale(text: str) -> float | None:
    """The scale a definition states with numbers ("in per cent (0 to 100)"), or None."""
    m = SCALE.search(text)
    if m is None:
        return None
    return 1.0 if m.group(1).lower() in ("1", "one") else 100.0


#: Words a rule that only states the scale may hold besides the numbers ("Per cent, 0 to 100").
SCALE_WORDS = re.compile(
    r"\b(?:per ?cent(?:age)?s?|fractions?|decimals?|in|as|a|an|the|from|scale|on|points?)\b|[\s,.;:()%-]",
    re.IGNORECASE,
)


def only_scale(text: str) -> float | None:
    """The scale a rule states when it says nothing else ("Per cent, 0 to 100", "0-1 fraction"), else None."""
    scale = said_scale(text)
    if scale is None:
        return None
    return scale if not SCALE_WORDS.sub("", SCALE.sub("", text)).strip() else None


def scaled_as(scale: float, term: Term | None) -> bool:
    """A single aggregation's column already holds ``scale``: a ``*_pct`` column in percent (0-100)."""
    if term is None:
        return False
    last = term.expr.rsplit("_", 1)[-1].lower()
    return scale == 100.0 and last in ("pct", "percent", "percentage")


def meta_of(definition: Definition, unit: str | None) -> dict[str, Any]:
    """The ``config.meta`` of a proposed metric: a draft, with the definition and its rules as written."""
    meta: dict[str, Any] = {
        "status": "draft",
        "certification": "draft",
        "definition": definition.text,
    }
    if unit:
        meta["unit"] = unit
    if definition.rules:
        meta["business_rules"] = list(definition.rules)
    return meta


def simple_item(definition: Definition, made: dict[str, Any]) -> dict[str, Any]:
    """The metric of one part: the part's own new item, or a derived metric over the existing one."""
    if "item" in made:
        out = dict(made["item"])
        out["description"] = definition.text
        if made.get("filter"):
            out["filter"] = made["filter"]
        out["config"] = {"meta": meta_of(definition, None)}
        return out
    out = {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "derived",
        "type_params": {"expr": made["name"], "metrics": [made]},
        "config": {"meta": {**meta_of(definition, None), "based_on": made["name"]}},
    }
    return out


def ratio_item(definition: Definition, num: dict[str, Any], den: dict[str, Any]) -> dict[str, Any]:
    """The ratio metric of two parts (each a metric name and its filter)."""

    def ref(part: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in part.items() if k in ("name", "filter")}

    return {
        "name": definition.name,
        "label": definition.name.replace("_", " ").capitalize(),
        "description": definition.text,
        "type": "ratio",
        "type_params": {"numerator": ref(num), "denominator": ref(den)},
        "config": {"meta": meta_of(definition, "ratio")},
    }
