select
    pmt_id as payment_id,
    claim_no as claim_id,
    pmt_dt as paid_date,
    lower(pmt_type) as payment_type,
    pmt_amt as payment_amount
from {{ source('claimcenter', 'claim_payments') }}
