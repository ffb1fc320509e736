-- One row per validated receipt (refunded ones included, flagged). Revenue in USD.
select
    i.purchase_id,
    i.player_id,
    p.title_code,
    i.store,
    i.sku,
    i.product_type,
    i.purchased_at,
    i.currency_code,
    i.local_price,
    i.gross_revenue_usd,
    case when i.is_refunded then 0 else round(i.gross_revenue_usd * (1 - i.store_fee_rate), 4) end as net_revenue_usd,
    i.is_refunded,
    i.refunded_at,
    i.purchase_seq = 1 as is_first_purchase
from {{ ref('int_iap_purchases_usd') }} as i
join {{ ref('base_gamebackend__players') }} as p
    on p.player_id = i.player_id
