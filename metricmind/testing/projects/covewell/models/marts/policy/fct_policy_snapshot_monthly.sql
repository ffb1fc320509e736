-- Month-end in-force snapshot: one row per policy term in force on the last day of each reporting month
-- (effective on or before it, not yet expired or cancelled). Never add months up: it is a stock, not a flow.
select
    t.policy_term_id || '@' || strftime(m.month_end, '%Y-%m') as snapshot_id,
    m.month_end as snapshot_date,
    t.policy_term_id,
    t.annual_premium as premium_in_force
from {{ ref('fct_policy_terms') }} as t
inner join {{ ref('int_reporting_months') }} as m
    on t.effective_date <= m.month_end
    and t.term_end_date > m.month_end
