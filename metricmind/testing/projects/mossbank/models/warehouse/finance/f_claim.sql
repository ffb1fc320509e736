-- Claims to private insurers and the Community Health Scheme, dated on submission. days_to_pay: submitted to
-- adjudicated for paid and part-paid claims.
select
    c.claim_key,
    c.invoice_key,
    i.patient_key,
    i.clinic_key,
    c.submitted_dt,
    i.payer_type,
    i.payer_name,
    c.claimed_amt_gbp,
    c.claim_status,
    c.claim_status = 'denied' as is_denied,
    c.denial_reason,
    c.paid_amt_gbp,
    c.adjudicated_dt,
    case when c.claim_status in ('paid', 'part_paid') then c.adjudicated_dt - c.submitted_dt end as days_to_pay
from {{ ref('stg_rcm__claims') }} as c
inner join {{ ref('f_invoice') }} as i using (invoice_key)
