-- One row per paying customer and month since its cohort month (its first month with MRR > 0), through the
-- last month of data (a triangle): whether it still has MRR, its MRR, and its MRR in the cohort month.
-- Logo retention = active customers / cohort customers; revenue retention = MRR / cohort-month MRR.
with months as (
    select distinct cast(date_trunc('month', date_day) as date) as month_start
    from {{ ref('time_spine_daily') }}
),

paid as (
    select customer_id, month_start, mrr
    from {{ ref('mart_customer_lifecycle_canonical') }}
    where mrr > 0
),

cohorts as (
    select customer_id, min(month_start) as cohort_month
    from paid
    group by customer_id
),

starting as (
    select c.customer_id, c.cohort_month, p.mrr as cohort_starting_mrr
    from cohorts as c
    inner join paid as p on p.customer_id = c.customer_id and p.month_start = c.cohort_month
)

select
    cast(s.customer_id as varchar) || '-' || strftime(m.month_start, '%Y-%m') as cohort_member_month_id,
    s.customer_id,
    s.cohort_month,
    m.month_start,
    cast(date_diff('month', s.cohort_month, m.month_start) as integer) as months_since_signup,
    case when p.mrr is not null then 1 else 0 end as is_active,
    cast(coalesce(p.mrr, 0) as double) as mrr,
    cast(s.cohort_starting_mrr as double) as cohort_starting_mrr
from starting as s
inner join months as m on m.month_start >= s.cohort_month
left join paid as p on p.customer_id = s.customer_id and p.month_start = m.month_start
