select
    payout_id,
    instructor_id,
    period_month,
    paid_on,
    amount_cents / 100.0 as payout_usd
from {{ source('billing', 'instructor_payouts') }}
