"""Everyday words among a catalog's values: a one-word value such as "good" (a credit band), "open" (a
ticket status) or "active" (a listing state) filters only in context ("good credit band", "open tickets",
"excluding active"), never because the word turns up in a question ("how good was the approval rate").

Which words are everyday is partly English (``EVERYDAY_WORDS``: no project's names, only words any business
uses in ordinary sentences) and partly the loaded catalog's own prose (``catalog_words``): a word the names, labels,
descriptions and synonyms of its metrics, measures and entities use is a word of that business's sentences ("active" where ``active_sellers`` is a metric, "late" where ``late_payments`` is).
"""

from __future__ import annotations

import re

from metricmind.resolve.text import stem
from metricmind.spec.model import Model

EVERYDAY_WORDS = frozenset(
    """
    new active other open paid view create update share price cost budget closed unknown feature app client
    device event direct organic bank member won lost expired late unpaid overdue standard basic entry
    professional premium report chart export web browser desktop shop school growth monthly annual yearly
    annually month year source partner email notification paying canceled upgrade downgrade converted tool
    competitor good fair poor excellent great bad high low normal medium average current check
    complete completed free home social mobile online offline best worst top bottom first last
    """.split()
)
"""English words that are often a dimension's value and as often an ordinary word of a question."""
_WORD = re.compile(r"[a-z]+")


def catalog_words(model: Model) -> frozenset[str]:
    """The words (and their stems) of the catalog's names, labels, descriptions and synonyms, its values left
    out: the words of the business's own sentences.
    """
    texts: list[str] = []
    for m in model.metrics.values():
        synonyms = m.meta.get("synonyms") or []
        texts += [m.name, m.label or "", m.description or "", str(m.meta.get("definition") or "")]
        texts += [str(s) for s in synonyms] if isinstance(synonyms, list) else [str(synonyms)]
    for sm in model.semantic_models.values():
        texts += [sm.name, sm.description or ""]
        texts += [e.name for e in sm.entities]
        texts += [f"{me.name} {me.description or ''}" for me in sm.measures]
    words = {w for t in texts for w in _WORD.findall(t.lower().replace("_", " "))}
    return frozenset(words | {stem(w) for w in words})


def everyday_words(model: Model) -> frozenset[str]:
    """The everyday words of ``model``'s questions: English's and the catalog's own (see the module)."""
    return EVERYDAY_WORDS | {stem(w) for w in EVERYDAY_WORDS} | catalog_words(model)
