select
    event_id as attempt_id,
    tracking_no as tracking_number,
    run_id as route_id,
    courier_id,
    event_at as attempt_tstamp,
    attempt_seq as attempt_number,
    result as outcome,
    handover as handover_type
from {{ source('tms', 'delivery_events') }}
