-- Appointed producers. An agent whose appointment was terminated keeps their history.
select
    agent_code,
    agent_name,
    agency_id,
    appointed_date,
    terminated_date,
    terminated_date is null as is_active
from {{ ref('stg_agency_portal__producers') }}
