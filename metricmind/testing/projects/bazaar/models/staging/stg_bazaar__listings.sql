select
    id as listing_id,
    seller_id,
    title as listing_title,
    category as listing_category,
    price_cents / 100.0 as list_price,
    listed_at,
    state as listing_state
from {{ source('bazaar_raw', 'listings') }}
