select
    hub_code,
    hub_name,
    city,
    country_code,
    region,
    hub_type,
    opened_dt
from {{ ref('base_tms_hubs') }}
