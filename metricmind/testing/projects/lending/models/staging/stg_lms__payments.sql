select
    id as payment_id,
    loan_id,
    due_on as due_date,
    received_at as paid_at,
    amount_cents,
    principal_cents,
    interest_cents,
    method as payment_method,
    autopay as is_autopay
from {{ source('lms', 'payments') }}
