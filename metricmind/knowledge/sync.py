"""The model's part of the graph: metrics, dimensions, tables, columns and canonical datasets.

``sync`` marks what the YAML declares ``in_model`` (and what it no longer declares not), adds
``HAS_DIMENSION`` and ``COMPUTED_FROM`` edges and the entity joins between semantic models as
``JOIN_PATH`` edges; usage counters are left as they are. Re-running it changes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from metricmind.knowledge.modelindex import ModelIndex, plain_column, table_key
from metricmind.knowledge.schema import EdgeKind, NodeKind, edges, nodes
from metricmind.knowledge.store import NodeIds, NodeKey, insert
from metricmind.spec.model import EntityType
from metricmind.spec.names import METRIC_TIME

EdgeSpec = tuple[str, NodeKey, NodeKey, str]


def model_graph(index: ModelIndex) -> tuple[dict[NodeKey, dict[str, object]], set[EdgeSpec]]:
    """Nodes (with properties) and edges the model declares."""
    model = index.model
    found: dict[NodeKey, dict[str, object]] = {}
    links: set[EdgeSpec] = set()

    def node(kind: NodeKind, key: str, **props: object) -> NodeKey:
        nk = (kind.value, key)
        found.setdefault(nk, {}).update(props)
        return nk

    canonical_tables: dict[str, str] = {}
    for cd in model.canonical_datasets.values():
        table = table_key(cd.relation, index.default_schema)
        canonical_tables[table] = cd.name
        c = node(NodeKind.CANONICAL, cd.name, owner=cd.owner, grain=cd.grain, table=table)
        links.add((EdgeKind.COMPUTED_FROM.value, c, node(NodeKind.TABLE, table, canonical=cd.name), "model"))
        for up in cd.upstream:
            up_key = up[len("source.") :] if up.startswith("source.") else up
            links.add(
                (
                    EdgeKind.COMPUTED_FROM.value,
                    c,
                    node(NodeKind.TABLE, table_key(up_key, index.default_schema)),
                    "lineage",
                )
            )

    for sm in model.semantic_models.values():
        table = index.table_of(sm)
        node(NodeKind.TABLE, table, semantic_model=sm.name, canonical=canonical_tables.get(table))
        for dim in sm.dimensions:
            d = node(NodeKind.DIMENSION, index.dimension_name(sm, dim), type=dim.type, semantic_model=sm.name)
            col = plain_column(dim.expr or dim.name)
            if col:
                links.add((EdgeKind.COMPUTED_FROM.value, d, node(NodeKind.COLUMN, f"{table}.{col}"), "model"))
    node(NodeKind.DIMENSION, METRIC_TIME, type="time")

    for metric in model.metrics.values():
        m = node(NodeKind.METRIC, metric.name, type=metric.type.value, label=metric.label)
        for name in index.metric_measures(metric):
            measure = model.measures[name]
            sm = model.semantic_models[measure.semantic_model]
            table = index.table_of(sm)
            links.add((EdgeKind.COMPUTED_FROM.value, m, node(NodeKind.TABLE, table), "model"))
            col = plain_column(measure.expr or measure.name)
            if col:
                links.add((EdgeKind.COMPUTED_FROM.value, m, node(NodeKind.COLUMN, f"{table}.{col}"), "model"))
        for mi in (metric.numerator, metric.denominator, *metric.inputs):
            if mi is not None and mi.name in model.metrics:
                links.add((EdgeKind.COMPUTED_FROM.value, m, node(NodeKind.METRIC, mi.name), "model"))
        links.add((EdgeKind.HAS_DIMENSION.value, m, node(NodeKind.DIMENSION, METRIC_TIME), "model"))
        for sm_name in index.metric_models(metric.name):
            sm = model.semantic_models[sm_name]
            for dim in sm.dimensions:
                links.add(
                    (
                        EdgeKind.HAS_DIMENSION.value,
                        m,
                        node(NodeKind.DIMENSION, index.dimension_name(sm, dim)),
                        "model",
                    )
                )

    # entity joins: a foreign (or primary) entity of one model meets the primary entity of another
    primaries: dict[str, list[tuple[str, str]]] = {}
    for sm in model.semantic_models.values():
        for e in sm.entities:
            if e.type in (EntityType.PRIMARY, EntityType.UNIQUE, EntityType.NATURAL):
                primaries.setdefault(e.name, []).append(
                    (index.table_of(sm), plain_column(e.expr or e.name) or e.name)
                )
    for sm in model.semantic_models.values():
        left_table = index.table_of(sm)
        for e in sm.entities:
            left_col = plain_column(e.expr or e.name) or e.name
            for right_table, right_col in primaries.get(e.name, []):
                if right_table == left_table:
                    continue
                a, b = sorted([(left_table, left_col), (right_table, right_col)])
                condition = f"{a[0]}.{a[1]} = {b[0]}.{b[1]}"
                links.add(
                    (
                        EdgeKind.JOIN_PATH.value,
                        node(NodeKind.TABLE, a[0]),
                        node(NodeKind.TABLE, b[0]),
                        condition,
                    )
                )
    return found, links


def sync(conn: sa.Connection, index: ModelIndex, ids: NodeIds | None = None) -> dict[str, int]:
    """Bring the graph's model part in line with ``index.model`` in the caller's transaction."""
    ids = ids or NodeIds()
    found, links = model_graph(index)
    keys: set[NodeKey] = set(found) | {e[1] for e in links} | {e[2] for e in links}
    labels = {k: k[1] for k in keys}
    node_id = ids.ensure(conn, keys, labels)
    conn.execute(sa.update(nodes).where(nodes.c.in_model.is_(True)).values(in_model=False))
    rows = [{"b_id": node_id[k], "b_props": _clean(found.get(k, {}))} for k in keys]
    if rows:
        conn.execute(
            sa.update(nodes)
            .where(nodes.c.id == sa.bindparam("b_id"))
            .values(in_model=True, props=sa.bindparam("b_props", type_=sa.JSON)),
            rows,
        )
    conn.execute(sa.update(edges).where(edges.c.in_model.is_(True)).values(in_model=False))
    if links:
        stmt = insert(conn, edges)
        conn.execute(
            stmt.on_conflict_do_update(index_elements=["kind", "src", "dst", "key"], set_={"in_model": True}),
            [
                {"kind": kind, "src": node_id[src], "dst": node_id[dst], "key": key, "in_model": True}
                for kind, src, dst, key in sorted(links)
            ],
        )
    return {"nodes": len(keys), "edges": len(links)}


def _clean(props: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in sorted(props.items()) if v not in (None, "")}
