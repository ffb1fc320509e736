-- one row per route (a courier's run out of a hub on one day); route_id = <hub>-<yyyymmdd>-<nn>
select
    t.route_id,
    t.courier_id,
    t.hub_code,
    t.route_dt,
    t.vehicle_type,
    t.vehicle_type in ('e_van', 'e_cargo_bike') as is_zero_emission,
    t.km_driven,
    t.fuel_litres,
    t.fuel_cost_eur,
    t.departed_tstamp,
    t.returned_tstamp,
    date_diff('minute', t.departed_tstamp, t.returned_tstamp) / 60.0 as shift_hours,
    count(e.attempt_id) as stops
from {{ ref('base_telematics_trips') }} as t
left join {{ ref('base_tms_delivery_events') }} as e on e.route_id = t.route_id
group by all
