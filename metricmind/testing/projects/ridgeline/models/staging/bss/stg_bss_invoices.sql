select
    invoice_no as invoice_id,
    sub_id as subscriber_id,
    cast(bill_period || '-01' as date) as billing_month,
    invoice_dt,
    due_dt,
    net_amt_eur as net_amount_eur,
    vat_amt_eur as vat_eur,
    net_amt_eur + vat_amt_eur as gross_amount_eur,
    roaming_amt_eur as roaming_charges_eur
from {{ source('bss', 'billing_invoices') }}
