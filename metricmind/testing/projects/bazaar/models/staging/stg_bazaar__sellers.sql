select
    id as seller_id,
    shop_name,
    country_code as seller_country,
    primary_category,
    onboarded_at,
    verified as is_verified
from {{ source('bazaar_raw', 'sellers') }}
