-- one row per order, with its position in the buyer's order history
with items as (
    select order_id, sum(quantity * unit_price) as order_gmv, count(*) as item_count
    from {{ ref('stg_bazaar__order_items') }}
    group by 1
)

select
    o.order_id,
    o.buyer_id,
    o.placed_at,
    o.order_status,
    o.currency,
    coalesce(i.order_gmv, 0) as order_gmv,
    coalesce(i.item_count, 0) as item_count,
    row_number() over (partition by o.buyer_id order by o.placed_at, o.order_id) as buyer_order_number
from {{ ref('stg_bazaar__orders') }} as o
left join items as i on i.order_id = o.order_id
