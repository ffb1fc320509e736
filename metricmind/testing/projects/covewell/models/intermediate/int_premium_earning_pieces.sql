-- Each booking earns pro rata over the rest of its term: the inception premium from the term's effective date,
-- an endorsement from its own effective date, a cancellation (negative) from the cancellation date, each up to
-- the term's expiration. Summed per month this is the term's earned premium.
select
    t.transaction_id,
    t.policy_term_id,
    t.transaction_type,
    t.effective_date as earning_start,
    p.expiration_date as earning_end,
    t.premium_amount
from {{ ref('stg_policy_admin__premium_transactions') }} as t
inner join {{ ref('stg_policy_admin__policy_terms') }} as p
    on p.policy_term_id = t.policy_term_id
where t.effective_date < p.expiration_date
