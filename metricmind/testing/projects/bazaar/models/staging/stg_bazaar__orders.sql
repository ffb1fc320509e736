select
    id as order_id,
    buyer_id,
    placed_at,
    status as order_status,
    currency
from {{ source('bazaar_raw', 'orders') }}
