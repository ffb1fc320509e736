"""Custom granularities of the time spine (the demo's fiscal calendar), executed and checked by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from metricmind.errors import QueryError
from metricmind.project import Project
from metricmind.spec.query import MetricQuery


@pytest.fixture(scope="module")
def project(project_dir: Path) -> Project:
    return Project.load(project_dir)


def test_group_by_fiscal_quarter(project: Project) -> None:
    query = MetricQuery.build(
        ["invoice_revenue", "invoice_count"],
        ["metric_time__fiscal_quarter", "customer__segment"],
        start="2024-02-01",
        end="2025-02-01",
    )
    result = project.run(query)
    assert result.columns == [
        "metric_time__fiscal_quarter",
        "customer__segment",
        "invoice_revenue",
        "invoice_count",
    ]
    # revenue counts on the paid date, invoices on the issue date: each mapped to its fiscal quarter
    expected = project.warehouse.run(
        """
        with paid as (
            select s.fiscal_quarter_start q, c.segment, sum(i.amount) revenue
            from main.fct_invoices_canonical i
            join main.time_spine_daily s on s.date_day = cast(i.paid_at as date)
            left join main.dim_customers_canonical c using (customer_id)
            where i.is_paid and cast(i.paid_at as date) >= date '2024-02-01'
              and cast(i.paid_at as date) < date '2025-02-01'
            group by 1, 2
        ), issued as (
            select s.fiscal_quarter_start q, c.segment, count(i.invoice_id) invoices
            from main.fct_invoices_canonical i
            join main.time_spine_daily s on s.date_day = cast(i.issued_at as date)
            left join main.dim_customers_canonical c using (customer_id)
            where cast(i.issued_at as date) >= date '2024-02-01' and cast(i.issued_at as date) < date '2025-02-01'
            group by 1, 2
        )
        select coalesce(p.q, i.q), coalesce(p.segment, i.segment), p.revenue, i.invoices
        from paid p full join issued i on p.q = i.q and p.segment = i.segment
        """
    ).rows
    assert len({r[0] for r in result.rows}) == 4  # four fiscal quarters: Feb, May, Aug, Nov
    got = {(r[0], r[1]): (round(float(r[2] or 0), 2), r[3]) for r in result.rows}
    assert got == {(r[0], r[1]): (round(float(r[2] or 0), 2), r[3]) for r in expected}


def test_filter_on_a_fiscal_year(project: Project) -> None:
    where = "{{ TimeDimension('metric_time', 'fiscal_year') }} = '2024-02-01'"
    ours = project.run(MetricQuery.build("billed_amount", where=where)).rows
    fiscal = project.run(MetricQuery.build("billed_amount", start="2024-02-01", end="2025-02-01")).rows
    assert ours == fiscal and ours[0][0] is not None


def test_time_shifting_metrics_are_refused_clearly(project: Project) -> None:
    for metric in ("mrr", "revenue_ytd", "trial_conversion_rate"):
        with pytest.raises(QueryError, match="custom granularity"):
            project.compile(MetricQuery.build(metric, "metric_time__fiscal_quarter"))
