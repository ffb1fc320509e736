-- Service revenue per line and month (EUR, net of VAT): the month's bill for postpaid, fibre and business lines,
-- the month's top-ups for prepaid lines (recognised when recharged). Device sales are not service revenue.
with billed as (
    select subscriber_id, billing_month as revenue_month, sum(net_amount_eur) as revenue_eur
    from {{ ref('stg_bss_invoices') }}
    group by 1, 2
),

topped_up as (
    select s.subscriber_id, cast(date_trunc('month', r.recharge_dt) as date) as revenue_month,
        sum(r.amount_eur) as revenue_eur
    from {{ ref('stg_bss_recharges') }} as r
    inner join {{ ref('stg_bss_subscribers') }} as s on s.msisdn = r.msisdn
    group by 1, 2
)

select subscriber_id, revenue_month, sum(revenue_eur) as service_revenue_eur
from (select * from billed union all select * from topped_up) as u
group by 1, 2
