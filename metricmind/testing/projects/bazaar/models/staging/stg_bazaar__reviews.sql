select
    id as review_id,
    order_id,
    listing_id,
    stars,
    created_at as reviewed_at
from {{ source('bazaar_raw', 'reviews') }}
