-- NOC incident tickets: outage minutes from ticket open to service restored.
select
    incident_id,
    site_id,
    opened_ts,
    cast(opened_ts as date) as opened_dt,
    restored_ts,
    date_diff('minute', opened_ts, restored_ts) as outage_minutes,
    severity,
    root_cause,
    subscribers_impacted,
    is_planned
from {{ ref('stg_oss_incidents') }}
