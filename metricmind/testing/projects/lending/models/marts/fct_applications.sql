-- one row per loan application, with its underwriting decision
select
    application_id,
    borrower_id,
    applied_at,
    decided_at,
    requested_product,
    application_channel,
    requested_amount,
    decision
from {{ ref('stg_lms__applications') }}
