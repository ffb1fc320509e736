-- the parcel grain: shipper attributes are denormalized here (finance asked for it, there is no shipper mart)
select
    c.tracking_number,
    c.shipper_id,
    s.shipper_name,
    s.shipper_segment,
    s.shipper_vertical,
    c.delivery_hub_code,
    h.country_code as destination_country,
    c.booked_tstamp,
    c.delivered_tstamp,
    c.promised_dt,
    c.service_level,
    c.parcel_size,
    c.weight_band,
    c.parcel_status,
    c.shipping_fee_eur,
    coalesce(a.attempts_made, 0) as attempts_made,
    coalesce(a.delivered_first_time, false) as is_first_time_delivery,
    c.delivered_tstamp is not null and cast(c.delivered_tstamp as date) <= c.promised_dt as is_on_time,
    case
        when c.delivered_tstamp is not null
            then date_diff('minute', c.booked_tstamp, c.delivered_tstamp) / 60.0
    end as transit_hours
from {{ ref('base_tms_consignments') }} as c
left join {{ ref('base_tms_shippers') }} as s on s.shipper_id = c.shipper_id
left join {{ ref('base_tms_hubs') }} as h on h.hub_code = c.delivery_hub_code
left join {{ ref('int_parcel_attempts') }} as a on a.tracking_number = c.tracking_number
