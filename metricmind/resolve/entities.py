"""The project's entities as the resolver reads them (their nouns, the party the business serves, their
order, the catalog's count of each), and the catalog's own metrics for a reading's filter or comparison.

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
counts or ranks, "best customers", never a breakdown by name). ``order`` puts the party first: when two
dimensions of one name fit equally ("country" of the buyer or of the seller), the party's is meant (the
others keep the lexicon's order; ranking them by how many models refer to them read the bazaar's "category"
as the seller's rather than the item's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from metricmind.resolve.resolution import Resolution
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
PEOPLE = frozenset({stem("people"), "people", "folk", "folks", "person"})
"""Words for people (the stem of "people" is "user"): the catalog's users where it has a ``user`` entity, else
its party ("how many people signed up" on a lender's catalog: its borrowers)."""


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
    """Entity prefixes (``customer__``) that win a tie between dimensions, first first: the party's."""

    def rank(self, dimension: str) -> int:
        """The position of ``dimension``'s entity in :attr:`order` (after all of them when it has none)."""
        return next((k for k, p in enumerate(self.order) if dimension.startswith(p)), len(self.order))


def project_entities(model: Model, nouns_of: dict[str, set[str]]) -> ProjectEntities:
    """The entities of ``model``; ``nouns_of`` maps an entity to the catalog's other nouns for it."""
    names: set[str] = set()
    primary: set[str] = set()
    for sm in model.semantic_models.values():
        for e in sm.entities:
            names.add(e.name)
            if e.type == EntityType.PRIMARY and (sm.dimensions or sm.measures):
                primary.add(e.name)
    party = next((n for n in PARTY_ENTITY_NAMES if n in names), None) or counted_party(model, names)
    own = {stem(n) for n in primary | unmodelled_entities(model) if "_" not in n}
    party_words = set(PARTY_WORDS) | {stem(w) for w in PARTY_WORDS}
    if party is not None:
        party_words |= {party, stem(party), *nouns_of.get(party, ())}
        if "user" not in names:
            party_words |= PEOPLE  # "how many people signed up": the party, in a catalog without users
    # the party first ("GMV in the US": where the buyers are)
    order = (f"{party}__",) if party else ()
    return ProjectEntities(
        nouns=frozenset(own | party_words),
        party=party,
        party_words=frozenset(party_words),
        order=order,
    )


def unmodelled_entities(model: Model) -> frozenset[str]:
    """Foreign entities no semantic model has as its primary (the shipper of a carrier's parcels, its fields
    denormalized onto them): they have no dimensions of their own, only columns named for them.
    """
    primary = {sm.primary for sm in model.semantic_models.values()}
    return frozenset(
        e.name
        for sm in model.semantic_models.values()
        for e in sm.entities
        if e.type == EntityType.FOREIGN and e.name not in primary
    )


def counted_party(model: Model, names: set[str]) -> str | None:
    """The party of a catalog that calls it by no name of ``PARTY_ENTITY_NAMES``: the one entity the most
    metrics count distinct on what it did (the game's players behind DAU, the school's learners behind
    active learners; a title or an instructor is no one the business serves), else ``root_entity``.
    """
    counted = {e: len(distinct_counts(model, e)) for e in sorted(names)}
    most = max(counted.values(), default=0)
    top = [e for e, n in counted.items() if n == most]
    return top[0] if most > 0 and len(top) == 1 else root_entity(model)


def root_entity(model: Model) -> str | None:
    """The party of a catalog that calls it by no name of ``PARTY_ENTITY_NAMES`` (a lender's ``borrower``, a
    clinic's ``patient``), read from the entity graph: the one entity whose semantic model refers to no other
    entity while other models refer to it (applications and loans are a borrower's; a borrower is no one's).
    None when no entity or several are such roots (a marketplace's buyers and sellers).
    """
    referred: set[str] = set()
    roots: set[str] = set()
    for sm in model.semantic_models.values():
        foreign = {e.name for e in sm.entities if e.type == EntityType.FOREIGN}
        referred |= foreign
        primary = [e.name for e in sm.entities if e.type == EntityType.PRIMARY]
        if not foreign and len(primary) == 1 and "_" not in primary[0] and (sm.dimensions or sm.measures):
            roots.add(primary[0])
    found = sorted(roots & referred)
    return found[0] if len(found) == 1 else None


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
        elif key.type == EntityType.PRIMARY or entity in unmodelled_entities(model):
            found.append((1, m.name))
    return [name for _, name in sorted(found)]


def distinct_counts(model: Model, entity: str) -> list[str]:
    """The metrics that count the distinct ``entity`` keys on a model of what they did (a foreign key there:
    "Unique Guests", distinct guests with a stay), unfiltered: how many of the entity there were in a period,
    as opposed to how many were created (a count over the entity's own model).
    """
    found: list[str] = []
    for m in model.metrics.values():
        if m.measure is None or m.filter or m.measure.filter or m.measure.name not in model.measures:
            continue
        measure = model.measures[m.measure.name]
        if measure.agg.value != "count_distinct":
            continue
        sm = model.semantic_models[measure.semantic_model]
        key = next((e for e in sm.entities if e.name == entity), None)
        if (
            key is not None
            and key.type != EntityType.PRIMARY
            and (measure.expr or measure.name)
            in (
                key.expr,
                key.name,
            )
        ):
            found.append(m.name)
    return found


_EQUALS = re.compile(r"\{\{\s*Dimension\('([^']+)'\)\s*\}\}\s*=\s*'([^']*)'")


def filtered_twin(model: Model, metric: str, field: str, value: str) -> str | None:
    """The catalog's own metric for ``metric`` where ``field`` is ``value`` ("orders" that were refunded:
    ``refunded_orders``, the same measure with that one filter), if it has exactly one.
    """
    m = model.metrics.get(metric)
    if m is None or m.measure is None or m.filter or m.measure.filter:
        return None
    found = []
    for n in model.metrics.values():
        if n.measure is None or n.measure.name != m.measure.name or n.measure.filter or len(n.filter) != 1:
            continue
        said = _EQUALS.fullmatch(n.filter[0].sql.strip())
        if said and said.group(2) == value and _same_dimension(said.group(1), field):
            found.append(n.name)
    return found[0] if len(found) == 1 else None


def one_value(model: Model, metric: str) -> tuple[str, str] | None:
    """(dimension, value) of a simple metric whose only filter keeps one value (``urgent_ticket_volume``:
    ``ticket__priority`` = urgent), or None.
    """
    m = model.metrics.get(metric)
    if m is None or m.measure is None or m.measure.filter or len(m.filter) != 1:
        return None
    said = _EQUALS.fullmatch(m.filter[0].sql.strip())
    return (said.group(1), said.group(2)) if said else None


def _same_dimension(a: str, b: str) -> bool:
    """Whether two dimension names end in the same ``entity__dimension`` (paths may differ)."""
    return _short(a) == _short(b)


def _short(dimension: str) -> str:
    """``entity__dimension`` of a dimension name, whatever its path."""
    return "__".join(dimension.split("__")[-2:])


def name_filtered(model: Model, res: Resolution) -> None:
    """One metric with one value filter the catalog names as a metric of its own ("how many orders got
    refunded": ``refunded_orders``, orders where the status is refunded): that metric, without the filter.
    """
    for f in list(res.filters):
        if f.metric is not None or f.op != "=" or len(f.values) != 1 or len(res.metrics) != 1:
            continue
        base = res.metrics[0]
        twin = filtered_twin(model, base, f.field, f.values[0])
        if twin is not None:
            res.notes.append(f"read as {twin}: {base} where {f.field} is {f.values[0]}")
            res.metrics = [twin]
            res.filters.remove(f)
            res.order_by = [(twin if n == base else n, d) for n, d in res.order_by]
            return


def drop_restated(model: Model, res: Resolution) -> None:
    """Value filters on a dimension every metric read already fixes to one value ("completed gmv (no
    refunds/cancellations)": ``completed_gmv`` keeps completed orders only): the question restates the
    metric's definition; a filter there would either change nothing or leave no row, so it is dropped.
    """
    fixes: list[dict[str, str]] = []
    for name in res.metrics:
        m = model.metrics.get(name)
        said = [_EQUALS.fullmatch(w.sql.strip()) for w in (m.filter if m else ())]
        fixes.append({_short(s.group(1)): s.group(2) for s in said if s})
    common = set.intersection(*(set(f) for f in fixes)) if fixes else set()
    fixed = {dim: {f[dim] for f in fixes} for dim in common}
    for f in list(res.filters):
        values = fixed.get(_short(f.field), set())
        if f.metric is None and len(values) == 1:
            res.filters.remove(f)
            res.notes.append(
                f"ignored {f.field} {f.op} {', '.join(f.values)}: the metric keeps {next(iter(values))}"
            )


_DIFFERENCE = re.compile(r"\s*(\w+)\s*-\s*(\w+)\s*")


def change_twin(model: Model, metric: str, unit: str) -> str | None:
    """The catalog's metric for ``metric``'s change on the ``unit`` before (``gmv_mom_change``: ``gmv -
    gmv_prior_month``, the second input offset by one month), if it has exactly one.
    """
    found = []
    for d in model.metrics.values():
        said = _DIFFERENCE.fullmatch(d.expr or "")
        if len(d.inputs) != 2 or said is None or any(i.name != metric or i.filter for i in d.inputs):
            continue
        now, before = ((i.alias or i.name) for i in d.inputs)
        offset = next((i.offset_window for i in d.inputs if i.offset_window), None)
        if said.groups() == (now, before) and offset in (f"1 {unit}", f"1 {unit}s"):
            found.append(d.name)
    return found[0] if len(found) == 1 else None


def read_change(model: Model, res: Resolution) -> None:
    """One metric compared with the period before, the catalog having that change as a metric of its
    own ("gmv change vs the prior month, each month": ``gmv_mom_change`` by month): that metric, no
    comparison (it is the comparison).
    """
    if res.comparison != "previous_period" or len(res.metrics) != 1:
        return
    grains = [g for n, g in res.group_by if n == "metric_time" and g]
    unit = grains[0] if grains else res.time_unit
    twin = change_twin(model, res.metrics[0], unit) if unit else None
    if twin is not None:
        res.notes.append(f"read as {twin}: {res.metrics[0]} against the {unit} before")
        res.order_by = [(twin if n == res.metrics[0] else n, d) for n, d in res.order_by]
        res.metrics = [twin]
        res.comparison = None
        res.comparison_range = None


def catalog_metrics(model: Model, res: Resolution) -> None:
    """The catalog's own metric for what the reading says with a filter or a comparison (its filtered and
    change metrics), and no filter its metric's definition fixes already.
    """
    name_filtered(model, res)
    drop_restated(model, res)
    read_change(model, res)
