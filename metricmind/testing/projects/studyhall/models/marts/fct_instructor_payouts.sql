select payout_id, instructor_id, period_month, paid_on, payout_usd
from {{ ref('stg_instructor_payouts') }}
