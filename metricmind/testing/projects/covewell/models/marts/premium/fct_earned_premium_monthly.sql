-- Earned premium and earned exposure (policy-years) per policy term and reporting month. A month appears for a
-- term when the term was in force on at least one of its days.
with pieces as (
    select
        e.policy_term_id,
        m.month_start,
        e.premium_amount * (
            date_diff('day', greatest(e.earning_start, m.month_start), least(e.earning_end, m.month_end + 1))
        ) / date_diff('day', e.earning_start, e.earning_end) as earned
    from {{ ref('int_premium_earning_pieces') }} as e
    inner join {{ ref('int_reporting_months') }} as m
        on e.earning_start <= m.month_end
        and e.earning_end > m.month_start
),

exposure as (
    select
        t.policy_term_id,
        m.month_start,
        date_diff('day', greatest(t.effective_date, m.month_start), least(t.term_end_date, m.month_end + 1))
            as days_in_force
    from {{ ref('fct_policy_terms') }} as t
    inner join {{ ref('int_reporting_months') }} as m
        on t.effective_date <= m.month_end
        and t.term_end_date > m.month_start
)

select
    x.policy_term_id || '@' || strftime(x.month_start, '%Y-%m') as earning_id,
    x.policy_term_id,
    x.month_start as earned_month,
    x.days_in_force,
    x.days_in_force / 365.0 as earned_policy_years,
    cast(round(sum(p.earned), 2) as decimal(12, 2)) as earned_premium
from exposure as x
inner join pieces as p
    on p.policy_term_id = x.policy_term_id
    and p.month_start = x.month_start
group by x.policy_term_id, x.month_start, x.days_in_force
