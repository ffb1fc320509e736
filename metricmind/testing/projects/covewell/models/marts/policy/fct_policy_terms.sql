-- One row per annual policy term (new business is term 1; each renewal is a new term of the same policy).
select
    p.policy_term_id,
    p.policy_number,
    p.term_number,
    p.customer_id,
    p.agent_code,
    p.quote_id,
    p.line_of_business,
    p.product_tier,
    p.sales_channel,
    p.state,
    case
        when p.state in ('PA', 'NJ', 'NY') then 'Northeast'
        when p.state in ('OH', 'MI', 'IL') then 'Midwest'
        when p.state in ('GA', 'NC') then 'Southeast'
        else 'Southwest'
    end as region,
    p.written_date,
    p.effective_date,
    p.expiration_date,
    coalesce(p.cancellation_date, p.expiration_date) as term_end_date,
    p.annual_premium,
    p.term_number > 1 as is_renewal,
    p.has_telematics,
    p.is_paperless,
    p.payment_plan,
    p.cancellation_date is not null as is_cancelled,
    p.cancellation_date,
    p.cancellation_reason,
    p.is_carrier_nonrenewed
from {{ ref('stg_policy_admin__policy_terms') }} as p
