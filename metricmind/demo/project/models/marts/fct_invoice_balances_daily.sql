-- One row per invoice and day on which it was unpaid past its due date (until paid or written off).
select
    cast(i.invoice_id as varchar) || '-' || strftime(d.date_day, '%Y%m%d') as invoice_balance_id,
    i.invoice_id,
    i.customer_id,
    i.subscription_id,
    d.date_day as balance_date,
    i.amount as overdue_amount,
    date_diff('day', i.due_at, d.date_day) as days_overdue,
    case
        when date_diff('day', i.due_at, d.date_day) <= 30 then '1-30'
        when date_diff('day', i.due_at, d.date_day) <= 60 then '31-60'
        else '61-90'
    end as aging_bucket
from {{ ref('fct_invoices_canonical') }} as i
inner join {{ ref('time_spine_daily') }} as d
    on d.date_day > i.due_at
    and d.date_day < coalesce(i.paid_at, i.written_off_at, date '9999-12-31')
