-- Monthly bills with what has been collected against them so far. is_overdue: not paid in full by the due date.
with paid as (
    select
        invoice_id,
        sum(amount_eur) as paid_amount_eur,
        sum(case when payment_dt <= i.due_dt then amount_eur else 0 end) as paid_by_due_eur,
        max(payment_dt) as last_payment_dt
    from {{ ref('stg_bss_payments') }}
    inner join {{ ref('stg_bss_invoices') }} as i using (invoice_id)
    group by 1
)

select
    i.invoice_id,
    i.subscriber_id,
    i.billing_month,
    i.invoice_dt,
    i.due_dt,
    i.net_amount_eur,
    i.vat_eur,
    i.gross_amount_eur,
    i.roaming_charges_eur,
    coalesce(p.paid_amount_eur, 0) as paid_amount_eur,
    p.last_payment_dt,
    coalesce(p.paid_amount_eur, 0) >= i.gross_amount_eur - 0.01 as is_paid,
    coalesce(p.paid_by_due_eur, 0) < i.gross_amount_eur - 0.01 as is_overdue
from {{ ref('stg_bss_invoices') }} as i
left join paid as p using (invoice_id)
