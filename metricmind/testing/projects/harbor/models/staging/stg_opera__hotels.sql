select
    hotel_code as property_code,
    hotel_name as property_name,
    city,
    country_iso as country_code,
    region,
    brand,
    currency_code as local_currency,
    opening_date as opened_on,
    star_rating
from {{ source('opera', 'hotels') }}
