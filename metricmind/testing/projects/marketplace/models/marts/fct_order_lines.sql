select
    l.order_line_id,
    l.order_id,
    l.product_id,
    o.ordered_at,
    l.quantity,
    l.quantity * l.unit_price as line_amount
from {{ ref('stg_order_lines') }} as l
join {{ ref('stg_orders') }} as o on o.order_id = l.order_id
