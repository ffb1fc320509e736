-- one row per parcel that had at least one doorstep attempt
select
    tracking_number,
    count(*) as attempts_made,
    min(attempt_tstamp) as first_attempt_tstamp,
    max(attempt_tstamp) as last_attempt_tstamp,
    bool_or(attempt_number = 1 and outcome = 'delivered') as delivered_first_time
from {{ ref('base_tms_delivery_events') }}
group by tracking_number
