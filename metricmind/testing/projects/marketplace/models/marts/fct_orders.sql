select order_id, buyer_id, ordered_at, order_status from {{ ref('stg_orders') }}
