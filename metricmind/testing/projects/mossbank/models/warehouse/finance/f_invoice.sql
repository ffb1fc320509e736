-- Invoices with what was received and written off against them by the end of the data (GBP).
with paid as (
    select invoice_key, sum(receipt_amt_gbp) as paid_amt_gbp from {{ ref('stg_rcm__receipts') }} group by 1
),

written_off as (
    select invoice_key, sum(write_off_amt_gbp) as written_off_amt_gbp from {{ ref('stg_rcm__adjustments') }} group by 1
)

select
    i.invoice_key,
    i.appt_key,
    i.patient_key,
    a.clinic_key,
    i.invoice_dt,
    case when i.payer_code = 'SELF' then 'self_pay' when i.payer_code = 'CHS' then 'public_scheme'
        else 'private_insurance' end as payer_type,
    case i.payer_code when 'SELF' then 'Self-pay' when 'CHS' then 'Community Health Scheme'
        when 'NSH' then 'Northstar Health' when 'CLA' then 'Claremont Assurance' when 'PIN' then 'Pinecrest Medical'
    end as payer_name,
    i.invoice_amt_gbp,
    coalesce(p.paid_amt_gbp, 0) as paid_amt_gbp,
    coalesce(w.written_off_amt_gbp, 0) as written_off_amt_gbp,
    i.invoice_amt_gbp - coalesce(p.paid_amt_gbp, 0) - coalesce(w.written_off_amt_gbp, 0) as balance_amt_gbp
from {{ ref('stg_rcm__invoices') }} as i
inner join {{ ref('stg_pms__appointments') }} as a using (appt_key)
left join paid as p using (invoice_key)
left join written_off as w using (invoice_key)
