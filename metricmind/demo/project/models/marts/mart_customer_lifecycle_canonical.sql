-- One row per customer and month from the customer's first paid month, for every month in which the
-- customer had MRR at the start or at the end. MRR is taken at the month's last day (the as-of date for
-- the current month); movements compare it with the previous month's.
with as_of as (
    select max(date_day) as as_of from {{ ref('time_spine_daily') }}
),

months as (
    select distinct cast(date_trunc('month', date_day) as date) as month_start
    from {{ ref('time_spine_daily') }}
),

snapshots as (
    select m.month_start, least(last_day(m.month_start), a.as_of) as snapshot_date
    from months as m
    cross join as_of as a
),

paid as (
    select subscription_id, customer_id, mrr, started_at, ended_at
    from {{ ref('fct_subscriptions_canonical') }}
    where not is_trial
),

live as (
    select
        s.month_start,
        p.customer_id,
        sum(p.mrr) as mrr,
        arg_max(p.subscription_id, p.started_at) as subscription_id
    from snapshots as s
    inner join paid as p
        on p.started_at <= s.snapshot_date and (p.ended_at is null or p.ended_at > s.snapshot_date)
    group by s.month_start, p.customer_id
),

grid as (
    select f.customer_id, s.month_start, s.snapshot_date
    from (select customer_id, min(month_start) as first_month from live group by customer_id) as f
    inner join snapshots as s on s.month_start >= f.first_month
),

filled as (
    select
        g.customer_id,
        g.month_start,
        g.snapshot_date,
        coalesce(l.mrr, 0) as mrr,
        l.subscription_id
    from grid as g
    left join live as l on l.customer_id = g.customer_id and l.month_start = g.month_start
),

framed as (
    select
        *,
        coalesce(lag(mrr) over w, 0) as previous_mrr,
        coalesce(max(mrr) over (w rows between unbounded preceding and 2 preceding), 0) > 0 as paid_before,
        last_value(subscription_id ignore nulls) over (w rows between unbounded preceding and current row)
            as last_subscription_id,
        row_number() over w - 1 as months_since_first_paid
    from filled
    window w as (partition by customer_id order by month_start)
)

select
    cast(customer_id as varchar) || '-' || strftime(month_start, '%Y-%m') as customer_month_id,
    customer_id,
    last_subscription_id as subscription_id,
    month_start,
    snapshot_date,
    mrr,
    previous_mrr,
    mrr - previous_mrr as mrr_change,
    case when previous_mrr = 0 and mrr > 0 then mrr else 0 end as new_mrr,
    case when previous_mrr = 0 and mrr > 0 and paid_before then mrr else 0 end as reactivation_mrr,
    case when previous_mrr > 0 and mrr > previous_mrr then mrr - previous_mrr else 0 end as expansion_mrr,
    case when previous_mrr > 0 and mrr > 0 and mrr < previous_mrr then previous_mrr - mrr else 0 end
        as contraction_mrr,
    case when previous_mrr > 0 and mrr = 0 then previous_mrr else 0 end as churned_mrr,
    mrr > 0 as is_active,
    previous_mrr > 0 as was_active_at_start,
    previous_mrr = 0 and mrr > 0 and not paid_before as is_new_customer,
    previous_mrr = 0 and mrr > 0 and paid_before as is_reactivated_customer,
    previous_mrr > 0 and mrr = 0 as is_churned_customer,
    months_since_first_paid
from framed
where mrr > 0 or previous_mrr > 0
