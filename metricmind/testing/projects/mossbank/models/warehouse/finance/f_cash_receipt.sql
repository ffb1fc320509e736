-- Cash received, dated on receipt (GBP): patients at the desk or by transfer, payers by remittance.
select
    r.receipt_key,
    r.invoice_key,
    i.patient_key,
    i.clinic_key,
    r.receipt_dt,
    r.payment_method,
    i.payer_type,
    i.payer_name,
    r.receipt_amt_gbp
from {{ ref('stg_rcm__receipts') }} as r
inner join {{ ref('f_invoice') }} as i using (invoice_key)
