select
    shipper_id,
    trading_name as shipper_name,
    segment as shipper_segment,
    vertical as shipper_vertical,
    contract_signed_on as contract_signed_dt
from {{ source('tms', 'shippers') }}
