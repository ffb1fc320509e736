"""Which reachable dimension a value's words name (``value_named``): one dimension's value is read; a value
of several is read by the source's own, the finer one, the entity the text names beside it — else it is
recorded as ambiguous in ``Context.ambiguous``, never guessed.
"""

from __future__ import annotations

import re

from metricmind.define import spelt
from metricmind.define.rulecontext import Context, find_dimension
from metricmind.define.toldapart import told_apart
from metricmind.define.words import GLUE, stems
from metricmind.spec.names import SEP


def _finest(hits: list[tuple[str, str, bool]], ctx: Context) -> tuple[str, str] | None:
    """Of values an alias names in several dimensions, the one of the dimension with the most values (a
    country before a region), when one has clearly more.
    """
    sized = []
    for n, v, _ in hits:
        dim = find_dimension(ctx.model, n)
        sized.append((len(dim.meta.get("values") or ()) if dim is not None else 0, n, v))
    sized.sort(reverse=True)
    if len(sized) < 2 or sized[0][0] < 2 * max(sized[1][0], 1):
        return None
    return sized[0][1], sized[0][2]


def owner_of(dim: str) -> str:
    """The entity a dimension belongs to: ``listing__seller__primary_category`` → ``seller``."""
    path = dim.split(SEP)
    return path[-2] if len(path) > 1 else ""


#: Letters two words share at their start to be one family ("acquired" / "acquisition", "billed" / "billing").
_KIN = 5


def _kin_named(dim: str, key: tuple[str, ...], said: tuple[str, ...]) -> bool:
    """A word of ``dim``'s own name (not its entity's) is said as another word of its family, outside the
    value ``key`` itself ("acquired" for ``acquisition_channel``).
    """
    *path, name = dim.split(SEP)
    entities = set(stems(" ".join(path).replace("_", " ")))
    own = [w for w in stems(name.replace("_", " ")) if len(w) > _KIN and w not in entities]
    others = [w for w in said if w not in key and len(w) > _KIN]
    return any(w[:_KIN] == o[:_KIN] for w in own for o in others)


#: "guests from Germany": where the entity comes from ("customers in Enterprise" may be a plan, not read so).
_PLACE_PREPOSITIONS = frozenset({"from"})


def _entity_before(said: tuple[str, ...], at: int) -> str:
    """The word before a preposition (and an article) before ``at``: "guests" of "guests from the UK"."""
    j = at - 1
    if j >= 0 and said[j] in ("the", "a", "an"):
        j -= 1
    return said[j - 1] if j >= 1 and said[j] in _PLACE_PREPOSITIONS else ""


def case_said(case: str, raw: str) -> bool:
    """A short upper-case value (``exact_case``: "US", "IN", "A") is written so in ``raw``. A text typed all
    in capitals says nothing by its case: there an everyday word ("IN", "A", "US") is the word, as the
    resolver reads a shouted question, and only a code that is no word ("DE", "EMEA") is the value.
    """
    if not re.search(rf"\b{re.escape(case)}\b", raw):
        return False  # "US" is a country; "came to us" is no value
    shouting = not any(c.islower() for c in raw)
    return not (shouting and (len(case) == 1 or case.lower() in GLUE))


def _hits(
    key: tuple[str, ...], ctx: Context, only: set[str] | None
) -> tuple[list[tuple[str, str, bool]], bool]:
    """The (reachable dimension, value, the source's own) pairs ``key`` names, and whether every one of them
    is named by an alias.
    """
    hits: list[tuple[str, str, bool]] = []
    aliases = True
    for entry in spelt.entries(key, ctx.lexicon):  # "electric cargo bikes": e_cargo_bike
        if entry.kind != "value":
            continue
        dim, _, value = entry.target.partition("=")
        if only is not None and dim not in only:
            continue
        if entry.exact_case and ctx.raw and not case_said(entry.exact_case, ctx.raw):
            continue
        name = _reachable(dim, ctx.reachable)
        info = ctx.lexicon.dims.get(dim)
        if name and (name, value) not in [(n, v) for n, v, _ in hits]:
            hits.append((name, value, info is not None and info.model in ctx.home))
            aliases = aliases and entry.source == "alias"
    return hits, aliases


def value_named(key: tuple[str, ...], ctx: Context, only: set[str] | None = None) -> tuple[str, str] | None:
    """A value named by ``key`` of a reachable dimension (of one of ``only``, when given).

    A value of several reachable dimensions, none of them the source's own, is ambiguous: it is recorded
    in ``ctx.ambiguous`` and not read ("Enterprise": a segment or a plan?).
    """
    if only is not None and not only:
        return None
    hits, aliases = _hits(key, ctx, only)
    if aliases and len({n for n, _, _ in hits}) > 1:
        finer = _finest(hits, ctx)
        if finer is not None:  # "US": an alias of the NA region and of the United States: the country
            ctx.chosen.append(
                f"{' '.join(key)!r} is also another word for "
                + ", ".join(f"{v!r} of {n}" for n, v, _ in hits if (n, v) != finer)
                + f"; read as the finer {finer[0]}"
            )
            return finer
    own = [(n, v) for n, v, home in hits if home]
    if len({n for n, _, _ in hits}) > 1 and len(own) == 1:
        nearest = _nearest_owner(key, hits, ctx)
        if nearest is not None and nearest != own[0]:  # "customers who came in through referral"
            ctx.chosen.append(
                f"{' '.join(key)!r} is also a value of the source's own {own[0][0]}; read as {nearest[0]}, "
                f"whose {owner_of(nearest[0])} the text names nearest to it"
            )
            return nearest
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names one of the dimensions itself ("whose acquisition channel is paid_search")
        own = [
            (n, v) for n, v, _ in hits if set(stems(n.rsplit(SEP, 1)[-1].replace("_", " "))) <= set(ctx.said)
        ]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names one of the dimensions by a word of its family ("acquired through referral":
        # the acquisition channel, not the marketing channel's name)
        own = [(n, v) for n, v, _ in hits if _kin_named(n, key, ctx.said)]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the text names the entity the dimension belongs to ("vintage listings", not vintage sellers)
        after = {
            ctx.said[i + len(key)]
            for i in range(len(ctx.said) - len(key))
            if ctx.said[i : i + len(key)] == key
        }  # the word right after the value
        own = [
            (n, v) for n, v, _ in hits if stems(owner_of(n).replace("_", " "))[-1:] in [(w,) for w in after]
        ]
    if len({n for n, _, _ in hits}) > 1 and len(own) != 1:
        # the entity said right before the value with "from" ("guests from Germany": the guest's home
        # country, not the hotel's country)
        before = {
            w
            for i in range(len(ctx.said) - len(key) + 1)
            if ctx.said[i : i + len(key)] == key and (w := _entity_before(ctx.said, i))
        }
        own = [
            (n, v) for n, v, _ in hits if stems(owner_of(n).replace("_", " "))[-1:] in [(w,) for w in before]
        ]
    if len(own) != 1 and len({n for n, _, _ in hits}) > 1:  # one path nearer, or a description says
        own = told_apart(key, hits, ctx)
    if len(own) == 1 or len({n for n, _, _ in hits}) == 1:
        return own[0] if len(own) == 1 else (hits[0][0], hits[0][1])
    if hits:
        ctx.ambiguous.append((" ".join(key), sorted({n for n, _, _ in hits})))
    return None


def _nearest_owner(
    key: tuple[str, ...], hits: list[tuple[str, str, bool]], ctx: Context
) -> tuple[str, str] | None:
    """Of a value's dimensions, the one whose entity the text names nearest before the value (or right
    after it): "touchpoints of customers acquired through referral" → the customer's channel. None when
    no entity of them is named, or two are named as near.
    """
    spots = [i for i in range(len(ctx.said) - len(key) + 1) if ctx.said[i : i + len(key)] == key]
    if not spots:
        return None
    at = spots[0]
    best: list[tuple[float, str, str]] = []
    names = {w for n, _, _ in hits for w in stems(n.rsplit(SEP, 1)[-1].replace("_", " "))}
    for n, v, _ in hits:
        owner = stems(owner_of(n).replace("_", " "))[-1:]
        if not owner or owner[0] in names:  # "channel" names the dimensions, not whose they are
            continue
        entity = owner_of(n)

        def names_it(word: str, entity: str = entity, owner: str = owner[0]) -> bool:
            """The word is the entity's or another word for it ("accounts": the customer's name)."""
            return word == owner or any(
                e.kind == "dimension" and e.target == f"{entity}{SEP}name"
                for e in ctx.lexicon.lookup((word,))
            )

        before = [at - i for i in range(at) if names_it(ctx.said[i])]
        after = [0.5] if at + len(key) < len(ctx.said) and names_it(ctx.said[at + len(key)]) else []
        if before or after:
            best.append((min([*before, *after]), n, v))
    best.sort()
    if not best or (len(best) > 1 and best[0][0] == best[1][0]):
        return None
    return best[0][1], best[0][2]


def _reachable(dim: str, reachable: set[str]) -> str | None:
    if dim in reachable:
        return dim
    tail = SEP + dim
    hits = sorted((n for n in reachable if n.endswith(tail)), key=len)
    return hits[0] if hits else None
