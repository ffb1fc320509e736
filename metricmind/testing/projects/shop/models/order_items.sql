select i.item_id, i.order_id, i.product_id, i.quantity, cast(i.unit_price as double precision) as unit_price,
       cast(o.ordered_at as date) as ordered_at
from {{ ref('raw_order_items') }} as i
join {{ ref('raw_orders') }} as o on o.order_id = i.order_id
