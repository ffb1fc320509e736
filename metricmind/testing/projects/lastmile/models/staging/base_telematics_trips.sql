select
    "TRIP_ID" as route_id,
    "DRIVER_REF" as courier_id,
    "DEPOT" as hub_code,
    "TRIP_DATE" as route_dt,
    "VEHICLE_CLASS" as vehicle_type,
    "DISTANCE_KM" as km_driven,
    "FUEL_LITRES" as fuel_litres,
    "FUEL_COST_CENTS" / 100.0 as fuel_cost_eur,
    "DEPARTED_AT" as departed_tstamp,
    "RETURNED_AT" as returned_tstamp
from {{ source('telematics', 'trips') }}
