select
    courier_id,
    home_hub as home_hub_code,
    contract as contract_type,
    start_date as hired_dt,
    end_date as offboarded_dt
from {{ source('tms', 'couriers') }}
