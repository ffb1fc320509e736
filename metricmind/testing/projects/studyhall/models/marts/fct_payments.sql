-- One row per charge (subscriptions, single course purchases, monthly seat invoices to company accounts),
-- in USD at finance's monthly rate. A refund (full or partial) is carried on its payment with its own date.
select
    p.payment_id,
    p.learner_id,
    p.company_account_id,
    p.paid_at,
    p.payment_type,
    p.subscription_plan,
    p.course_code,
    p.currency_code,
    p.payment_method,
    p.amount_local,
    round(p.amount_local * fx.usd_per_unit, 2) as amount_usd,
    r.refunded_at,
    coalesce(round(r.refund_amount_local * fx.usd_per_unit, 2), 0) as refund_amount_usd,
    r.refund_id is not null as is_refunded
from {{ ref('stg_payments') }} as p
join {{ ref('stg_fx_rates') }} as fx
    on fx.currency_code = p.currency_code
    and fx.rate_month = date_trunc('month', p.paid_at)
left join {{ ref('stg_refunds') }} as r
    on r.payment_id = p.payment_id
