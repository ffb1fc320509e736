select
    id as buyer_id,
    lower(email) as email,
    country_code as buyer_country,
    signup_at,
    acquisition_source
from {{ source('bazaar_raw', 'buyers') }}
