select
    h.property_code,
    h.property_name,
    h.city,
    h.country_code,
    h.region,
    h.brand,
    h.local_currency,
    h.opened_on,
    h.star_rating,
    (select count(*) from {{ ref('stg_opera__rooms') }} as r where r.property_code = h.property_code) as room_count
from {{ ref('stg_opera__hotels') }} as h
