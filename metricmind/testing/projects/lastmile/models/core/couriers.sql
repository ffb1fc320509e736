select
    courier_id,
    home_hub_code,
    contract_type,
    hired_dt,
    offboarded_dt,
    offboarded_dt is null as is_active
from {{ ref('base_tms_couriers') }}
