select site_id, site_region, site_city, site_technology
from {{ ref('stg_oss_sites') }}
