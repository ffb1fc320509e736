"""The entity join graph: which semantic models can be joined to which, and along which entity path.

A hop follows an entity from one semantic model to another where that entity is a key (primary, unique
or natural): many-to-one or one-to-one, never fanning out. Beyond MetricFlow, a hop may also go
one-to-many (from a key to a foreign entity); such a hop is marked ``fanout`` and the compiler makes it
safe by joining distinct keys, so no row is counted twice within a group.

Names resolve MetricFlow's way first (``customer__region__continent`` = follow ``customer`` then
``region``); when that is not a path, the shortest path that ends at the named entity is used, and a
tie between different paths is an error that lists the explicit names to choose from.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property

from metricmind.errors import JoinError, UnknownNameError
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


class JoinGraph:
    """Join paths between the semantic models of one project."""

    def __init__(self, model: Model, max_hops: int = 4) -> None:
        self.model = model
        self.max_hops = max_hops
        self._paths: dict[str, list[Path]] = {}
        self._resolved: dict[tuple[str, Ref], Target] = {}

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
                if oe.type.is_key:
                    hops.append(Hop(e.name, sm.name, other.name, e.expr, oe.expr))
                elif e.type.is_key and oe.type is EntityType.FOREIGN:
                    hops.append(
                        Hop(e.name, sm.name, other.name, e.expr, oe.expr, True, other.primary or e.name)
                    )
        return hops

    def paths_from(self, start: str) -> list[Path]:
        """All simple paths from ``start`` up to ``max_hops`` long, shortest first (breadth first)."""
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
            for hop in self.hops_from(path.end):
                if hop.target in seen:
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
            found = self._resolved[key] = self._resolve(start, ref)
        return found

    def _resolve(self, start: str, ref: Ref) -> Target:
        candidates = self._candidates(start, ref)
        if not candidates:
            raise self._unknown(start, ref)
        exact = [t for t, prefix in candidates if prefix == ref.entity_path]
        if exact:
            return self._pick(exact, ref, start)
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
        options = sorted({t.qualified for t in candidates})
        raise JoinError(
            f"'{ref.name}' is not reachable from semantic model '{start}' along entity path "
            f"'{SEP.join(ref.entity_path) or '(none)'}'",
            hint=f"Reachable as: {', '.join(repr(o) for o in options)}." if options else None,
        )

    def _unknown(self, start: str, ref: Ref) -> Exception:
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

    def reachable_names(self, start: str, *, fanout: bool = False) -> set[str]:
        """The explicit names of every dimension and entity reachable from ``start``."""
        names: set[str] = set()
        for path in self.paths_from(start):
            if path.fanout and not fanout:
                continue
            sm = self.model.semantic_models[path.end]
            prefix = list(path.prefix) if path.hops else ([sm.primary] if sm.primary else [])
            for d in sm.dimensions:
                names.add(SEP.join([*prefix, d.name]))
            for e in sm.entities:
                if not path.hops or e.name != path.hops[-1].entity:
                    names.add(SEP.join([*path.prefix, e.name]))
        return names
