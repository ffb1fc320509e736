"""A proposed metric compiled by month and by one entity (and optionally by day), as the body of a new dbt
model: the rows of each entity a population metric counts, or each entity's own value of a metric, over
``{{ ref() }}``s of canonical datasets only (the proposal's own new model inlined). The readings that need
a value per entity and month (anti-joins, averages per entity) build their model on it. Pure.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from metricmind.compiler import Compiler
from metricmind.define.datasets import canonical
from metricmind.define.extend import inline_model, proposal_model
from metricmind.define.proposal import Proposal
from metricmind.errors import MetricmindError
from metricmind.spec.model import Model
from metricmind.spec.query import MetricQuery

MONTH_COLUMN = "metric_time__month"
DAY_COLUMN = "metric_time__day"


def by_entity_sql(
    model: Model, proposal: Proposal, entity: str, dialect: str, max_hops: int, *, daily: bool = False
) -> tuple[str, str] | None:
    """(SQL, value column) of ``proposal``'s metric by ``MONTH_COLUMN`` (or ``DAY_COLUMN`` when
    ``daily``) and ``entity`` (a column of that name), its relations written as refs; None when it does
    not compile or reads a relation that is no canonical dataset.
    """
    name = str((proposal.metric or {}).get("name"))
    try:
        extended = proposal_model(model, proposal)
        query = MetricQuery.build(name, [DAY_COLUMN if daily else MONTH_COLUMN, entity])
        sql = Compiler(extended, max_hops=max_hops).compile(query, dialect, pretty=True).sql
        if proposal.new_model is not None:
            sql = inline_model(sql, proposal.new_model.name, proposal.new_model.compiled_sql, dialect)
        tree = sqlglot.parse_one(sql, read=dialect)
    except (MetricmindError, sqlglot.errors.ParseError):
        return None
    refs = {ds.relation: ds.name for ds in canonical(model).values()}
    for table in tree.find_all(exp.Table):
        if table.db and f"{table.db}.{table.name}" not in refs:
            return None
    tree = tree.transform(
        lambda n: (
            exp.to_table(f"__ref_{refs[f'{n.db}.{n.name}']}").as_(n.alias_or_name)
            if isinstance(n, exp.Table) and n.db
            else n
        )
    )
    body = tree.sql(dialect=dialect, pretty=True)
    return re.sub(r"\b__ref_([a-z0-9_]+)", r"{{ ref('\1') }}", body), name


def refs_of(sql: str) -> list[str]:
    """The canonical datasets ``sql`` refs, in order."""
    return list(dict.fromkeys(re.findall(r"ref\('([a-z0-9_]+)'\)", sql)))


def indented(sql: str, spaces: int = 4) -> str:
    """``sql`` indented to sit inside a CTE."""
    return sql.replace("\n", "\n" + " " * spaces)
