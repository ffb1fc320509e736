-- one row per listing
select listing_id, seller_id, listing_title, listing_category, list_price, listing_state, listed_at
from {{ ref('stg_bazaar__listings') }}
