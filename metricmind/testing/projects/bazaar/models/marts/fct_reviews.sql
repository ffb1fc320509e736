select review_id, order_id, listing_id, stars, reviewed_at
from {{ ref('stg_bazaar__reviews') }}
