select
    id as order_item_id,
    order_id,
    listing_id,
    seller_id,
    quantity,
    unit_price_cents / 100.0 as unit_price,
    fee_cents / 100.0 as platform_fee
from {{ source('bazaar_raw', 'order_items') }}
