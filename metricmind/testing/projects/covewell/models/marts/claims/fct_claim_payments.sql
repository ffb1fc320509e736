select
    payment_id,
    claim_id,
    paid_date,
    payment_type,
    payment_amount
from {{ ref('stg_claimcenter__claim_payments') }}
