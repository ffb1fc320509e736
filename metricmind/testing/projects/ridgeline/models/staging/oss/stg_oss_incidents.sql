select
    ticket_id as incident_id,
    site_id,
    opened_at as opened_ts,
    restored_at as restored_ts,
    sev as severity,
    lower(root_cause) as root_cause,
    subs_impacted as subscribers_impacted,
    planned_flag = 'Y' as is_planned
from {{ source('oss', 'noc_incidents') }}
