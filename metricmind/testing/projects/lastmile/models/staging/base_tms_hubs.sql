select
    hub_code,
    hub_name,
    city,
    country as country_code,
    region,
    hub_kind as hub_type,
    opened_on as opened_dt
from {{ source('tms', 'hubs') }}
