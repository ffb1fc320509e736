"""A rule on a dimension of an entity the source reaches only one-to-many: never read as a filter.

"Orders, only orders from sellers in Germany": an order has many line items, each of its own seller; the
seller's country is no dimension of an order (its rows would count once per seller: fan-out), and the
buyer's country that says the same value is another thing. The rule names the entity ("sellers") and a
value of one of its dimensions ("Germany": ``seller__seller_country`` = DE) that the source cannot reach
many-to-one: it is left unread with that reason, never read on another dimension holding the value.
"""

from __future__ import annotations

from dataclasses import replace

from metricmind.define import spelt
from metricmind.define.rulecontext import Context, Read
from metricmind.define.words import GLUE, stems
from metricmind.spec.model import EntityType, Model
from metricmind.spec.names import SEP

#: The longest run of words a value is looked up by.
_LONGEST = 3


def fanned_out(text: str, read: Read, ctx: Context) -> Read | None:
    """``read`` left unread with the fan-out reason when ``text`` names an entity the source reaches
    one-to-many (through a table that holds both) and a value of one of that entity's own dimensions (module docstring);
    None otherwise (the reading stands).
    """
    if read.reading.status not in ("filter", "unread") or not ctx.home:
        return None
    words = stems(text.lower().replace("-", " ").replace("_", " "))
    reached = {n.split(SEP)[-2] for n in ctx.reachable if SEP in n} | {
        n for n in ctx.reachable if SEP not in n
    }
    for entity, dim, value in _named_values(words, ctx):
        if entity in reached or not _said(entity, words):
            continue
        if read.reading.status == "filter" and value in ("true", "false"):
            continue  # a flag's words read otherwise ("no first purchase date": the date column's null)
        bridge = _bridge(ctx.model, ctx.home, entity)
        if not bridge:
            continue  # no path at all: read (or left unread) as before
        reason = (
            f"{value!r} is a value of {dim}, the {entity}'s own, which the source does not reach many-to-one: "
            f"each row has many {entity}s through {bridge} (one-to-many), so a filter on the {entity}'s "
            f"{dim.rsplit(SEP, 1)[-1]} would count a row once per {entity} (fan-out); define the metric on "
            f"rows that hold one {entity} each"
        )
        return Read(replace(read.reading, status="unread", confidence=0.0, reason=reason, predicate=None))
    return None


def _said(entity: str, words: tuple[str, ...]) -> bool:
    """Every word of the entity's name is a word of the text ("sellers" of ``seller``), its noun no word of
    time or glue ("month" of ``user_month`` names no entity).
    """
    noun = stems(entity.replace("_", " "))
    return bool(noun) and noun[-1] not in GLUE and all(w in words for w in noun)


def _named_values(words: tuple[str, ...], ctx: Context) -> list[tuple[str, str, str]]:
    """(entity, dimension, value) of every value ``words`` name, of any dimension of the catalog."""
    out: list[tuple[str, str, str]] = []
    for size in range(min(_LONGEST, len(words)), 0, -1):
        for i in range(len(words) - size + 1):
            for entry in spelt.entries(words[i : i + size], ctx.lexicon):
                if entry.kind != "value" or "|" in entry.target:
                    continue
                dim, _, value = entry.target.partition("=")
                if SEP in dim and (dim.split(SEP, 1)[0], dim, value) not in out:
                    out.append((dim.split(SEP, 1)[0], dim, value))
    return out


def _bridge(model: Model, home: set[str], entity: str) -> str:
    """A semantic model that holds both one of the source's own entities and ``entity`` (the order's line
    items, each with its seller), by name; ``""`` when none does.
    """
    own = {
        e.name
        for name in home
        if (sm := model.semantic_models.get(name)) is not None
        for e in sm.entities
        if e.type is EntityType.PRIMARY
    }
    for sm in model.semantic_models.values():
        if sm.name in home:
            continue
        names = {e.name for e in sm.entities}
        if entity in names and own & names:
            return sm.name
    return ""
