select id as order_id, buyer as buyer_id, ordered_on as ordered_at, status as order_status
from {{ source('marketplace_raw', 'orders') }}
