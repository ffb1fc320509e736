select
    claim_id as claim_key,
    invoice_id as invoice_key,
    payer_code,
    submitted_date as submitted_dt,
    claimed_amount as claimed_amt_gbp,
    case claim_status when 'PD' then 'paid' when 'PP' then 'part_paid' when 'DEN' then 'denied'
        when 'PEND' then 'pending' end as claim_status,
    paid_amount as paid_amt_gbp,
    adjudicated_date as adjudicated_dt,
    case denial_code when 'NO_AUTH' then 'no_preauthorisation' when 'NOT_COVERED' then 'not_covered'
        when 'CODING' then 'coding_error' when 'ELIG' then 'eligibility' when 'TIMELY' then 'late_submission'
    end as denial_reason
from {{ source('rcm', 'claims') }}
