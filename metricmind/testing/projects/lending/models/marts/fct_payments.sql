-- one row per instalment received; amounts stay in cents as the LMS sends them
select
    payment_id,
    loan_id,
    due_date,
    paid_at,
    amount_cents,
    principal_cents,
    interest_cents,
    payment_method,
    is_autopay,
    cast(paid_at as date) > due_date as is_late
from {{ ref('stg_lms__payments') }}
