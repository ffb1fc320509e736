-- one row per line of an order
select
    i.order_item_id,
    i.order_id,
    i.listing_id,
    i.seller_id,
    o.placed_at,
    i.quantity,
    i.unit_price,
    i.platform_fee
from {{ ref('stg_bazaar__order_items') }} as i
join {{ ref('stg_bazaar__orders') }} as o on o.order_id = i.order_id
