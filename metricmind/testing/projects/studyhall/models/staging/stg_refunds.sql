select
    refund_id,
    payment_id,
    created as refunded_at,
    amount / 100.0 as refund_amount_local,
    reason as refund_reason
from {{ source('billing', 'refunds') }}
