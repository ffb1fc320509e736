select
    id as application_id,
    customer_id as borrower_id,
    submitted_at as applied_at,
    product_code as requested_product,
    channel as application_channel,
    requested_amount_cents / 100.0 as requested_amount,
    decision,
    decisioned_at as decided_at
from {{ source('lms', 'loan_applications') }}
