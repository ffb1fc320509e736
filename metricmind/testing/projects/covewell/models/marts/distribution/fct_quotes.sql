-- Every priced quote from the rater, with whether it was bound into a new policy.
select
    q.quote_id,
    q.quoted_at,
    q.quote_date,
    q.line_of_business,
    q.sales_channel,
    q.agent_code,
    q.state,
    q.product_tier,
    q.quoted_premium,
    t.policy_term_id as bound_policy_term_id,
    t.policy_term_id is not null as is_bound
from {{ ref('stg_rater__quotes') }} as q
left join {{ ref('stg_policy_admin__policy_terms') }} as t
    on t.quote_id = q.quote_id
