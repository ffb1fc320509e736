"""Whose a metric's rows are: an entity noun said right before the metric ("hub backlog"), or its plural said as
an owner with an apostrophe ("borrowers' repayments"), names the entity the rows belong to, no concept the
catalog lacks. The entity is one of the metric's own models', or, for an owner said so, one its joins reach (a
borrower's repayments are kept on their loans). Read from the catalog's entities and joins, never a word list.
"""

from __future__ import annotations

from metricmind.resolve.reading import _ReadingBase

APOSTROPHES = ("'", "\u2019")
"""Marks of a possessive after a plural ("borrowers'")."""


def said_as_owner(reading: _ReadingBase, i: int) -> bool:
    """Whether an apostrophe right after the word at ``i`` makes it a possessive ("borrowers' repayments")."""
    t = reading.tokens[i]
    return reading.res.question[t.end : t.end + 1] in APOSTROPHES


def owning_entity(reading: _ReadingBase, i: int) -> bool:
    """Whether the word at ``i`` is the singular noun of an entity of every read metric's own models, or any
    entity noun said as their owner whose entity every read metric reaches.
    """
    word, t = reading.stems[i], reading.tokens[i]
    owner = said_as_owner(reading, i)
    if word not in reading.r.entities.nouns or (t.norm != word and not owner):
        return False
    metrics = reading.res.metrics
    models = reading.r.model.semantic_models
    if all(any(e.name == word for sm in reading.r.sources(m) for e in models[sm].entities) for m in metrics):
        return True
    # (an owner may be said by another noun of its entity: "our accounts' invoices", the customers')
    entity = reading.r.texts.entity_of.get(word) or word
    dims = [d for d in reading.lex.dims if d.startswith(f"{entity}__")]
    return owner and bool(dims) and all(any(reading.r.reachable(m, d) for d in dims) for m in metrics)


def owner_of_metric(reading: _ReadingBase, first: int, last: int, starts: set[int]) -> bool:
    """Whether the entity noun read at ``first``..``last`` (one word) is said as the owner of a metric read right
    after it ("our clients' invoices", "the customer's refunds"): whose the rows are, never a metric of its own.
    ``starts`` holds where the other metrics read begin.
    """
    if last - first != 1 or reading.stems[first] not in reading.r.entities.nouns:
        return False
    after = last + 1 if last < len(reading.tokens) and reading.tokens[last].norm == "s" else last
    return said_as_owner(reading, first) and after in starts
