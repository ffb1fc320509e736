-- Number portability (MNP): completed port-ins (number brought to Ridgeline) and port-outs (number taken to
-- another operator), dated by the day the number moved.
select
    p.port_request_id,
    p.msisdn,
    s.subscriber_id,
    p.port_direction,
    p.other_operator,
    p.request_dt,
    p.ported_dt,
    p.port_status
from {{ ref('stg_bss_port_requests') }} as p
left join {{ ref('stg_bss_subscribers') }} as s on s.msisdn = p.msisdn
