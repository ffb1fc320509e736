"""The project's entities as the resolver reads them: their nouns, the party the business serves, their order.

Nothing here names a project's entities: they come from the loaded catalog (every semantic model's
entities, the nouns its ``name`` dimensions answer to). What is kept is language, true of any business:

- ``PARTY_ENTITY_NAMES``: what data teams call the party a business sells to or serves (``customer``,
  ``account``, ``buyer``, ``client``, …), most customer-like first. The first one the catalog has as an
  entity is the project's *party* (the demo's ``customer``, the bazaar's ``buyer``, the helpdesk's
  ``account``).
- ``PARTY_WORDS``: the words people use for that party whatever the catalog calls it ("clients",
  "companies", "accounts", "logos"). They mean the party: "how many clients did we add" counts the party,
  "accounts paying over 5k" is a threshold per party.

``ProjectEntities.nouns`` are the stems of every one-word entity name with a semantic model of its own,
plus the party words and the nouns the catalog declares for its entities (entity nouns are what a question
counts or ranks, "best customers", never a breakdown by name). ``order`` puts the party first, then the
entities most semantic models refer to: when two dimensions of one name fit equally ("country" of the buyer
or of the seller, "region" of the customer or of the subscription), the party's, else the central one's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from metricmind.resolve.text import stem
from metricmind.spec.model import EntityType, Model

PARTY_ENTITY_NAMES = (
    "customer",
    "client",
    "account",
    "buyer",
    "company",
    "organization",
    "organisation",
    "org",
    "tenant",
    "subscriber",
    "shopper",
    "member",
    "merchant",
    "user",
)
"""Entity names for the party a business serves, the most customer-like first (language, not a project)."""
PARTY_WORDS = frozenset({"customer", "client", "account", "company", "logo"})
"""Words people use for that party whatever the catalog calls it (their stems: "clients" → customer)."""


@dataclass(frozen=True)
class ProjectEntities:
    """The entity nouns, the party and the entity order of one catalog."""

    nouns: frozenset[str] = frozenset()
    """Stems of nouns for an entity: counted or ranked, not grouped by ("how many accounts", "best sellers")."""
    party: str | None = None
    """The entity the business serves (the customer-like one), if the catalog has one."""
    party_words: frozenset[str] = frozenset()
    """Stems of the words for the party: its own name, the catalog's nouns for it, the generic words."""
    order: tuple[str, ...] = field(default_factory=tuple)
    """Entity prefixes (``customer__``), the one most semantic models refer to first."""

    def rank(self, dimension: str) -> int:
        """The position of ``dimension``'s entity in :attr:`order` (after all of them when it has none)."""
        return next((k for k, p in enumerate(self.order) if dimension.startswith(p)), len(self.order))


def project_entities(model: Model, nouns_of: dict[str, set[str]]) -> ProjectEntities:
    """The entities of ``model``; ``nouns_of`` maps an entity to the catalog's other nouns for it."""
    refs: Counter[str] = Counter()
    primary: set[str] = set()
    for sm in model.semantic_models.values():
        for e in sm.entities:
            refs[e.name] += 1
            if e.type == EntityType.PRIMARY and (sm.dimensions or sm.measures):
                primary.add(e.name)
    names = set(refs)
    party = next((n for n in PARTY_ENTITY_NAMES if n in names), None)
    own = {stem(n) for n in primary if "_" not in n}
    party_words = set(PARTY_WORDS) | {stem(w) for w in PARTY_WORDS}
    if party is not None:
        party_words |= {party, stem(party), *nouns_of.get(party, ())}
    # the party first ("GMV in the US": where the buyers are), then the most referred to
    order = (f"{party}__",) if party else ()
    return ProjectEntities(
        nouns=frozenset(own | party_words),
        party=party,
        party_words=frozenset(party_words),
        order=order,
    )


def counts_of(model: Model, entity: str, near: str | None = None) -> list[str]:
    """The metrics that count ``entity`` itself (a plain count of its key column, no filter), the best
    first: one read where ``near`` is (how many buyers placed over 10 orders: the buyers *with orders*,
    counted in the orders' model), then one over the entity's own model (how many accounts: every account).
    """
    near_models = model.source_models(near) if near in model.metrics else set()
    found: list[tuple[int, str]] = []
    for m in model.metrics.values():
        if m.measure is None or m.filter or m.measure.filter or m.measure.name not in model.measures:
            continue
        measure = model.measures[m.measure.name]
        if measure.agg.value not in ("count", "count_distinct"):
            continue
        sm = model.semantic_models[measure.semantic_model]
        key = next((e for e in sm.entities if e.name == entity), None)
        if key is None or (measure.expr or measure.name) not in (key.expr, key.name):
            continue
        if sm.name in near_models:
            found.append((0, m.name))
        elif key.type == EntityType.PRIMARY:
            found.append((1, m.name))
    return [name for _, name in sorted(found)]
