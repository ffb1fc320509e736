-- one row per seller (shop)
select seller_id, shop_name, seller_country, primary_category, is_verified, onboarded_at
from {{ ref('stg_bazaar__sellers') }}
