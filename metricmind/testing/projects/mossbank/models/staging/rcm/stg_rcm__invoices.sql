select
    invoice_id as invoice_key,
    appt_ref as appt_key,
    patient_ref as patient_key,
    invoice_date as invoice_dt,
    payer_code,
    invoice_total as invoice_amt_gbp
from {{ source('rcm', 'invoices') }}
