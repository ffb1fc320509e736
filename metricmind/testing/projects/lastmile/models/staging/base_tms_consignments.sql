-- prices come in euro cents from the TMS; everything downstream is in euros
select
    tracking_no as tracking_number,
    shipper_id,
    dest_hub as delivery_hub_code,
    created_at as booked_tstamp,
    service as service_level,
    size_class as parcel_size,
    weight_band,
    price_cents / 100.0 as shipping_fee_eur,
    promised_date as promised_dt,
    status as parcel_status,
    delivered_at as delivered_tstamp
from {{ source('tms', 'consignments') }}
