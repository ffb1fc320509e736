select
    agency_id,
    agency_name,
    agency_tier,
    agency_state
from {{ ref('stg_agency_portal__agencies') }}
