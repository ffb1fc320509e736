-- Receipts priced in USD at finance's monthly rate, with the store's cut (15% on subscriptions, else 30%).
select
    r.purchase_id,
    r.player_id,
    r.store,
    r.sku,
    s.product_type,
    r.purchased_at,
    r.currency_code,
    r.local_price,
    round(r.local_price * fx.usd_per_unit, 4) as gross_revenue_usd,
    case when s.product_type = 'battle_pass' then 0.15 else 0.30 end as store_fee_rate,
    r.refunded_at,
    r.refunded_at is not null as is_refunded,
    row_number() over (partition by r.player_id order by r.purchased_at, r.purchase_id) as purchase_seq
from {{ ref('base_appstores__receipts') }} as r
join {{ ref('base_appstores__skus') }} as s
    on s.sku = r.sku
join {{ ref('base_appstores__fx_monthly') }} as fx
    on fx.currency_code = r.currency_code
    and fx.month_start = date_trunc('month', r.purchased_at)
