select
    attempt_id,
    tracking_number,
    route_id,
    attempt_tstamp,
    attempt_number,
    outcome,
    handover_type,
    outcome = 'delivered' as was_successful
from {{ ref('base_tms_delivery_events') }}
