select
    order_id,
    customer_id,
    cast(ordered_at as date) as ordered_at,
    cast(shipped_at as date) as shipped_at,
    status,
    cast(amount as double precision) as amount,
    cast(discount as double precision) as discount,
    cast(is_gift as boolean) as is_gift
from {{ ref('raw_orders') }}
