-- Monthly subscriber base: one row per line per month it was on the network at any point of the month.
-- is_active_eom = still connected at month end (the "active base", a stock: never add months up);
-- is_opening_base = connected on the 1st; is_churned = disconnected during the month.
select
    s.subscriber_id || '-' || strftime(m.month_start, '%Y%m') as base_month_id,
    s.subscriber_id,
    m.month_start,
    m.month_end as snapshot_dt,
    s.activation_dt < m.month_start as is_opening_base,
    s.activation_dt >= m.month_start as is_gross_add,
    s.disconnection_dt is null or s.disconnection_dt > m.month_end as is_active_eom,
    coalesce(s.disconnection_dt <= m.month_end, false) as is_churned,
    coalesce(r.service_revenue_eur, 0) as service_revenue_eur
from {{ ref('dim_subscribers') }} as s
inner join {{ ref('int_calendar_months') }} as m
    on s.activation_dt <= m.month_end
    and (s.disconnection_dt is null or s.disconnection_dt >= m.month_start)
left join {{ ref('int_service_revenue_monthly') }} as r
    on r.subscriber_id = s.subscriber_id and r.revenue_month = m.month_start
