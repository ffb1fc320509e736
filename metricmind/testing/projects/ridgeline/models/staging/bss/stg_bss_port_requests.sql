select
    port_ref as port_request_id,
    msisdn,
    case port_type when 'PI' then 'port_in' when 'PO' then 'port_out' end as port_direction,
    case other_op_cd when 'VDF' then 'Vodafone' when 'DIGI' then 'DIGI' else other_op_cd end as other_operator,
    request_dt,
    port_dt as ported_dt,
    lower(port_status) as port_status
from {{ source('bss', 'mnp_port_requests') }}
