select
    producer_cd as agent_code,
    producer_name as agent_name,
    agency_id,
    appointed_dt as appointed_date,
    terminated_dt as terminated_date
from {{ source('agency_portal', 'producers') }}
