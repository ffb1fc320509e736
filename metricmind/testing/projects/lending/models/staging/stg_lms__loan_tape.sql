select
    loan_id,
    as_of as snapshot_date,
    principal_balance_cents / 100.0 as outstanding_principal,
    days_past_due
from {{ source('lms', 'loan_tape') }}
