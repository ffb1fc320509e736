select
    agency_id,
    agency_name,
    agency_tier,
    agency_state
from {{ source('agency_portal', 'agencies') }}
