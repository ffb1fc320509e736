"""The entity join graph: which semantic models can be joined to which, and along which entity path.

A hop follows an entity from one semantic model to another where that entity is a key there (primary,
unique, or natural on a slowly changing dimension with a validity window): many-to-one or one-to-one,
so every row meets at most one row of the other model and a breakdown's groups add up to the total.
That is the only graph a query sees by default, like MetricFlow.

The *overlapping* graph (``JoinGraph.overlapping``, used only when a query asks for overlapping groups)
also has one-to-many hops (a key to a foreign entity) and foreign↔foreign hops, marked ``fanout``: a
row then belongs to every group its far rows fall in (a membership reading), so groups overlap. The
default graph uses it to explain a refusal (``FanOutError``): the path, and which hop multiplies rows.

Names resolve MetricFlow's way first (``customer__region__continent`` = follow ``customer`` then
``region``); when that is not a path, the shortest path that ends at the named entity is used, and a
tie between different paths is an error that lists the explicit names to choose from.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property

from metricmind.errors import FanOutError, JoinError, UnknownNameError, closest
from metricmind.spec.model import Dimension, Entity, EntityType, Model, SemanticModel
from metricmind.spec.names import SEP, Ref


@dataclass(frozen=True)
class Hop:
    """One join: from ``source`` to ``target`` on ``entity``.

    ``label`` is the entity that names the hop in dimension names: the join entity, or for a one-to-many
    hop, the primary entity of the model it arrives at (``customer`` → ``order__status``).
    """

    entity: str
    source: str
    target: str
    source_expr: str
    target_expr: str
    fanout: bool = False
    label: str = ""


@dataclass(frozen=True)
class Path:
    """A sequence of hops from a semantic model."""

    start: str
    hops: tuple[Hop, ...] = ()

    @property
    def end(self) -> str:
        """The semantic model the path arrives at."""
        return self.hops[-1].target if self.hops else self.start

    @property
    def entities(self) -> tuple[str, ...]:
        """The entity names followed."""
        return tuple(h.entity for h in self.hops)

    @property
    def prefix(self) -> tuple[str, ...]:
        """The entity path that names elements at the end of this path."""
        return tuple(h.label or h.entity for h in self.hops)

    @property
    def fanout(self) -> bool:
        """True when some hop is one-to-many."""
        return any(h.fanout for h in self.hops)

    def extend(self, hop: Hop) -> Path:
        """This path plus one hop."""
        return Path(self.start, (*self.hops, hop))


@dataclass(frozen=True)
class Target:
    """A resolved group-by element: the path to the model that holds it and what it is there."""

    path: Path
    model: str
    dimension: Dimension | None = None
    entity: Entity | None = None

    prefix: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        """The explicit MetricFlow-style name of this element from the path's start."""
        element = self.dimension.name if self.dimension else (self.entity.name if self.entity else "")
        return SEP.join([*self.prefix, element])


def join_key(sm: SemanticModel, entity: Entity) -> bool:
    """True when ``entity`` identifies at most one row of ``sm``, so joining to it is many-to-one.

    Primary and unique entities are keys; a natural entity is one only on a slowly changing dimension
    (``validity_params``), whose join also picks the version valid on the fact row's day. A natural
    entity without a validity window may repeat, so it is treated as foreign.
    """
    if entity.type is EntityType.NATURAL:
        return sm.validity is not None
    return entity.type.is_key


# The entity types that name a model's own elements (MetricFlow's linkable entity types).
_LINKS = (EntityType.PRIMARY, EntityType.UNIQUE, EntityType.NATURAL)


class JoinGraph:
    """Join paths between the semantic models of one project.

    Args:
        model: The project's semantic model.
        max_hops: The longest join path searched.
        overlap: Also follow one-to-many and foreign↔foreign hops (overlapping groups, opt-in).
    """

    def __init__(self, model: Model, max_hops: int = 4, *, overlap: bool = False) -> None:
        self.model = model
        self.max_hops = max_hops
        self.overlap = overlap
        self._paths: dict[str, list[Path]] = {}
        self._resolved: dict[tuple[str, Ref], Target] = {}
        self._refused: dict[tuple[str, Ref], JoinError | UnknownNameError] = {}

    @cached_property
    def overlapping(self) -> JoinGraph:
        """The same project's graph with one-to-many and foreign↔foreign hops as well (built on first use)."""
        if self.overlap:
            return self
        graph = JoinGraph(self.model, self.max_hops, overlap=True)
        graph.__dict__["many_to_one"] = self
        return graph

    @cached_property
    def many_to_one(self) -> JoinGraph:
        """The same project's graph without fan-out hops (what a query sees by default)."""
        if not self.overlap:
            return self
        graph = JoinGraph(self.model, self.max_hops)
        graph.__dict__["overlapping"] = self
        return graph

    @cached_property
    def _holders(self) -> dict[str, list[tuple[SemanticModel, Entity]]]:
        out: dict[str, list[tuple[SemanticModel, Entity]]] = {}
        for sm in self.model.semantic_models.values():
            for e in sm.entities:
                out.setdefault(e.name, []).append((sm, e))
        return out

    def hops_from(self, name: str) -> list[Hop]:
        """Every single join from semantic model ``name``."""
        sm = self.model.semantic_models[name]
        hops = []
        for e in sm.entities:
            for other, oe in self._holders.get(e.name, []):
                if other.name == sm.name:
                    continue
                if join_key(other, oe):
                    hops.append(Hop(e.name, sm.name, other.name, e.expr, oe.expr))
                elif self.overlap:
                    # named after the model it arrives at (``customer`` → ``order__status``), except a
                    # natural entity, which names its rows as a key would
                    natural = oe.type is EntityType.NATURAL
                    label = e.name if natural else (other.primary or e.name)
                    hops.append(Hop(e.name, sm.name, other.name, e.expr, oe.expr, True, label))
        return hops

    def paths_from(self, start: str) -> list[Path]:
        """All simple paths from ``start`` up to ``max_hops`` long, shortest first (breadth first); in the
        overlapping graph, with at most one fan-out hop each.
        """
        cached = self._paths.get(start)
        if cached is not None:
            return cached
        out = [Path(start)]
        queue = deque(out)
        while queue:
            path = queue.popleft()
            if len(path.hops) >= self.max_hops:
                continue
            seen = {path.start, *(h.target for h in path.hops)}
            fanned = path.fanout
            for hop in self.hops_from(path.end):
                # at most one fan-out hop per path: a membership reading of one join, not a chain of them
                if hop.target in seen or (fanned and hop.fanout):
                    continue
                nxt = path.extend(hop)
                out.append(nxt)
                queue.append(nxt)
        self._paths[start] = out
        return out

    def resolve(self, start: str, ref: Ref) -> Target:
        """Where ``ref`` (a dimension or entity name) lives as seen from semantic model ``start``."""
        key = (start, ref)
        found = self._resolved.get(key)
        if found is None:
            refused = self._refused.get(key)
            if refused is not None:
                raise refused.with_traceback(None)
            try:
                found = self._resolved[key] = self._resolve(start, ref)
            except (JoinError, UnknownNameError) as exc:
                self._refused[key] = exc
                raise
        return found

    def _resolve(self, start: str, ref: Ref) -> Target:
        candidates = self._candidates(start, ref)
        if not candidates:
            raise self._unknown(start, ref)
        exact = [t for t, prefix in candidates if prefix == ref.entity_path]
        exact += self._local_aliases(start, ref, exact)
        if exact:
            return self._pick([t for t in exact if not t.path.fanout] or exact, ref, start)
        # Beyond MetricFlow: the named entity path is the tail of a longer path.
        n = len(ref.entity_path)
        tail = [t for t, prefix in candidates if n and len(prefix) > n and prefix[-n:] == ref.entity_path]
        if not tail and not n:
            tail = [t for t, _ in candidates]
        plain = [t for t in tail if not t.path.fanout]
        if tail:
            return self._pick(plain or tail, ref, start)
        return self._fail(start, ref, [t for t, _ in candidates])

    def _candidates(self, start: str, ref: Ref) -> list[tuple[Target, tuple[str, ...]]]:
        """Every place the element exists, with the entity prefix that names it from ``start``."""
        out: list[tuple[Target, tuple[str, ...]]] = []
        for path in self.paths_from(start):
            sm = self.model.semantic_models[path.end]
            if ref.kind in ("auto", "dimension", "time"):
                dim = sm.dimension(ref.element)
                if dim is not None:
                    prefix = path.prefix if path.hops else ((sm.primary,) if sm.primary else ())
                    out.append((Target(path, sm.name, dimension=dim, prefix=prefix), prefix))
                    continue
            if ref.kind in ("auto", "entity"):
                ent = sm.entity(ref.element)
                if ent is not None and not (path.hops and path.hops[-1].entity == ref.element):
                    out.append((Target(path, sm.name, entity=ent, prefix=path.prefix), path.prefix))
        return out

    def _local_aliases(self, start: str, ref: Ref, found: list[Target]) -> list[Target]:
        """``ref`` as an element of ``start`` itself named through one of its own key entities, as
        MetricFlow names them: a dimension or another entity of the model behind any of its primary,
        unique or natural entities (``route__hub`` for the routes model's own ``hub``; never
        ``route__route``). Elements already found at ``start`` under that name are left out.
        """
        if len(ref.entity_path) != 1:
            return []
        sm = self.model.semantic_models[start]
        link = ref.entity_path[0]
        linkable = {e.name for e in sm.entities if e.type in _LINKS}
        if sm.primary:
            linkable.add(sm.primary)
        if link not in linkable or any(not t.path.hops for t in found):
            return []
        # the same target as the element's own name (`hub`, `route__vehicle_type`): one element, one target
        here = Path(start)
        if ref.kind in ("auto", "dimension", "time"):
            dim = sm.dimension(ref.element)
            if dim is not None:
                return [Target(here, start, dimension=dim, prefix=(sm.primary,) if sm.primary else ())]
        if ref.kind in ("auto", "entity") and ref.element != link:
            ent = sm.entity(ref.element)
            if ent is not None:
                return [Target(here, start, entity=ent)]
        return []

    def _pick(self, group: list[Target], ref: Ref, start: str) -> Target:
        shortest = min(len(t.path.hops) for t in group)
        best = [t for t in group if len(t.path.hops) == shortest]
        names = sorted({t.qualified for t in best})
        if len({t.path.prefix for t in best}) > 1:
            raise JoinError(
                f"'{ref.name}' can be reached from '{start}' along {len(names)} different join paths",
                hint=f"Name the path explicitly: {', '.join(repr(n) for n in names)}.",
            )
        return best[0]

    def _fail(self, start: str, ref: Ref, candidates: list[Target]) -> Target:
        refusal = self._fan_out(start, ref)
        if refusal is not None:
            raise refusal
        options = sorted({t.qualified for t in candidates})
        raise JoinError(
            f"'{ref.name}' is not reachable from semantic model '{start}' along entity path "
            f"'{SEP.join(ref.entity_path) or '(none)'}'",
            hint=f"Reachable as: {', '.join(repr(o) for o in options)}." if options else None,
        )

    def _fan_out(self, start: str, ref: Ref) -> FanOutError | None:
        """Why ``ref`` is refused when only a one-to-many or foreign↔foreign path reaches it, else None."""
        if self.overlap:
            return None
        n = len(ref.entity_path)
        matches = [
            t
            for t, prefix in self.overlapping._candidates(start, ref)
            if t.path.fanout and (not n or prefix[-n:] == ref.entity_path)
        ]
        if not matches:
            return None
        far = min(matches, key=lambda t: len(t.path.hops))
        hop = next(h for h in far.path.hops if h.fanout)
        route = " → ".join([far.path.start, *(h.target for h in far.path.hops)])
        why = self._why(hop)
        known = self.reachable_names(start)
        element = ref.element
        same = sorted(n for n in known if n.rsplit(SEP, 1)[-1] == element)
        suggestions = tuple(same[:3] or closest(ref.name, known))
        mean = f"Did you mean {', '.join(repr(s) for s in suggestions)}? " if suggestions else ""
        return FanOutError(
            f"'{ref.name}' would count a row in several groups: from '{start}' it is reached only along "
            f"{route}, and {why}; the groups would not add up to the total",
            hint=f"{mean}To count each row once in every group it belongs to (overlapping groups, shown "
            "with the true total), ask for it: --overlapping-groups (CLI), allow_overlap=True "
            "(MetricQuery, REST, MCP). Dimensions that add up: `metricmind list dimensions --metric <metric>`.",
            path=route,
            suggestions=suggestions,
            name=ref.name,
            why=why,
        )

    def _why(self, hop: Hop) -> str:
        """Why ``hop`` is not many-to-one, in words."""
        source, target = self.model.semantic_models[hop.source], self.model.semantic_models[hop.target]
        near, far = source.entity(hop.entity), target.entity(hop.entity)
        if far is not None and far.type is EntityType.NATURAL:
            return (
                f"`{hop.entity}` is natural in `{hop.target}` without a validity window (validity_params), "
                f"so one `{hop.entity}` may have several `{hop.target}` rows"
            )
        if near is not None and join_key(source, near):
            return (
                f"`{hop.entity}` is a key of `{hop.source}` but foreign in `{hop.target}`, so one "
                f"`{hop.source}` row matches many `{hop.target}` rows"
            )
        return f"`{hop.entity}` is foreign in both `{hop.source}` and `{hop.target}`"

    def _unknown(self, start: str, ref: Ref) -> Exception:
        refusal = self._fan_out(start, ref)
        if refusal is not None:
            return refusal
        known = self.reachable_names(start)
        everywhere = {f"{sm.primary}{SEP}{d.name}" for sm, d in self.model.iter_dimensions() if sm.primary}
        if ref.name in everywhere or ref.element in {d.name for _, d in self.model.iter_dimensions()}:
            return JoinError(
                f"'{ref.name}' exists but cannot be joined to semantic model '{start}' within {self.max_hops} hops",
                hint="Add an entity that links the two semantic models, or pick a dimension listed by "
                f"`metricmind list dimensions --metric <metric>`; reachable names include "
                f"{', '.join(sorted(known)[:5])}.",
            )
        return UnknownNameError("dimension", ref.name, known)

    def reachable_names(self, start: str) -> set[str]:
        """The explicit names of every dimension and entity reachable from ``start`` in this graph."""
        names: set[str] = set()
        for path in self.paths_from(start):
            sm = self.model.semantic_models[path.end]
            prefix = list(path.prefix) if path.hops else ([sm.primary] if sm.primary else [])
            for d in sm.dimensions:
                names.add(SEP.join([*prefix, d.name]))
            for e in sm.entities:
                if not path.hops or e.name != path.hops[-1].entity:
                    names.add(SEP.join([*path.prefix, e.name]))
        return names
