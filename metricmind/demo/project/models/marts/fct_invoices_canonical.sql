-- One row per invoice, with payment, lateness and refunds as of the build date.
with refunds as (
    select invoice_id, sum(amount_cents) as refunded_cents, max(refunded_at) as refunded_at
    from {{ source('raw', 'billing_refunds') }}
    group by invoice_id
)

select
    i.invoice_id,
    i.subscription_id,
    i.account_id as customer_id,
    i.issued_at,
    i.due_at,
    i.paid_at,
    i.written_off_at,
    i.period_start,
    i.period_end,
    cast(i.amount_cents / 100 as decimal(18, 2)) as amount,
    cast(coalesce(r.refunded_cents, 0) / 100 as decimal(18, 2)) as refunded_amount,
    r.refunded_at,
    i.currency,
    i.payment_method,
    case
        when r.refunded_cents >= i.amount_cents then 'refunded'
        when r.refunded_cents > 0 then 'partially_refunded'
        else i.status
    end as status,
    i.paid_at is not null as is_paid,
    r.invoice_id is not null as is_refunded,
    i.paid_at > i.due_at as is_paid_late,
    i.status = 'past_due' as is_overdue,
    date_diff('day', i.issued_at, i.paid_at) as days_to_pay,
    greatest(date_diff('day', i.due_at, coalesce(i.paid_at, i.written_off_at, b.as_of)), 0) as days_late
from {{ source('raw', 'billing_invoices') }} as i
left join refunds as r on r.invoice_id = i.invoice_id
cross join {{ source('raw', 'build_info') }} as b
