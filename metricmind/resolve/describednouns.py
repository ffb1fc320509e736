"""An entity's other noun, said where its semantic model describes it: "Seller shops on the marketplace." makes
"shops" the sellers ("which shops sold more than 8k", "verified shops").

A description that opens with the entity's own name followed by a plural noun ("Seller shops …", "Buyer accounts")
names what the business calls its members. A word typed as that noun is read as the entity's own name ("shops" as
"sellers": "top 3 shops by gmv", "which shops sold over 8k"), when no catalog word has it. Read from the
catalog's descriptions, never from a list.
"""

from __future__ import annotations

import re

from metricmind.resolve.text import stem
from metricmind.spec.model import Model, SemanticModel

_OPENING = re.compile(r"^\s*([A-Za-z]+)[ -]([a-z]+s)\b")


def described_noun(sm: SemanticModel) -> str | None:
    """The plural noun right after the entity's own name at the start of ``sm``'s description, if any."""
    primary = sm.primary
    if not primary or "_" in primary:
        return None
    m = _OPENING.match(sm.description or "")
    if m is None or stem(m.group(1).lower()) != stem(primary):
        return None
    noun = m.group(2)
    return None if noun.endswith("ss") or stem(noun) == stem(primary) else noun


def described_nouns(model: Model) -> dict[str, str]:
    """The stem of each entity's described noun (``described_noun``) mapped to the entity's name."""
    out: dict[str, str] = {}
    for sm in model.semantic_models.values():
        noun = described_noun(sm)
        if noun is not None and sm.primary:
            out[stem(noun)] = sm.primary
    return out
