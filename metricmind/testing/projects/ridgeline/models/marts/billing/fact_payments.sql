select
    p.payment_id,
    p.invoice_id,
    i.subscriber_id,
    p.payment_dt,
    p.amount_eur,
    p.payment_method
from {{ ref('stg_bss_payments') }} as p
inner join {{ ref('stg_bss_invoices') }} as i using (invoice_id)
