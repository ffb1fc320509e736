-- Policy terms that reached their expiration date in the reporting window (not cancelled mid-term), with what
-- happened at renewal: renewed, lapsed (the customer did not take the renewal) or nonrenewed (we declined).
select
    'RO-' || t.policy_term_id as renewal_offer_id,
    t.policy_term_id,
    t.expiration_date,
    t.annual_premium as expiring_premium,
    n.annual_premium as renewal_premium,
    n.annual_premium / t.annual_premium - 1 as renewal_rate_change,
    n.policy_term_id is not null as is_renewed,
    case
        when n.policy_term_id is not null then 'renewed'
        when t.is_carrier_nonrenewed then 'nonrenewed'
        else 'lapsed'
    end as renewal_outcome
from {{ ref('fct_policy_terms') }} as t
left join {{ ref('fct_policy_terms') }} as n
    on n.policy_number = t.policy_number
    and n.term_number = t.term_number + 1
where not t.is_cancelled
    and t.expiration_date >= cast('2024-01-01' as date)
    and t.expiration_date <= cast('2025-12-31' as date)
