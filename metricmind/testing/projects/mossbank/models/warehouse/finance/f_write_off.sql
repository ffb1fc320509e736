select
    w.adjustment_key as write_off_key,
    w.invoice_key,
    i.patient_key,
    i.clinic_key,
    w.posted_dt,
    w.write_off_type,
    i.payer_type,
    i.payer_name,
    w.write_off_amt_gbp
from {{ ref('stg_rcm__adjustments') }} as w
inner join {{ ref('f_invoice') }} as i using (invoice_key)
