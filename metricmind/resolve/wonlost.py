"""Who was won or lost, said as a sales team says it: "closed-won logos", "lost accounts", "logos won and logos
lost". A participle of winning or losing right before an entity's noun says which of them are counted, as the
noun followed by the verb does ("accounts lost to competitors", ``verbwords.entity_then_verb``); "closed-won" and
"closed-lost" are a CRM's stages for a deal won or lost (closed-class sales English, no catalog's words).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from metricmind.resolve.text import Token

WON_LOST = frozenset({"won", "lost", "signed", "landed", "acquired", "churned", "cancelled", "canceled"})
"""Participles of winning or losing that stand before the noun they say of ("won deals", "churned accounts")."""
CLOSED = frozenset({"closed"})
"""The word before "won"/"lost" in a CRM's stage names ("closed-won", "closed lost")."""


def verb_before_entity(tokens: Sequence[Token], stems: Sequence[str], nouns: Collection[str]) -> bool:
    """Whether a participle of winning or losing ("won", "closed-won", "lost") stands right before a noun
    for an entity (``nouns``: the catalog's entity nouns and their other names).
    """
    return any(tokens[k].norm in WON_LOST and stems[k + 1] in nouns for k in range(len(tokens) - 1))


def closed_stage(tokens: Sequence[Token]) -> list[int]:
    """The positions of "closed" in "closed-won" / "closed lost": a stage's first word, read with the verb."""
    return [
        k
        for k in range(len(tokens) - 1)
        if tokens[k].norm in CLOSED and tokens[k + 1].norm in ("won", "lost")
    ]
