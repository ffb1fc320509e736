-- Sellable rooms per hotel, room type and night: rooms in service minus rooms out of order that night.
with nights as (
    select date_day
    from {{ ref('metricflow_time_spine') }}
    where date_day >= (select min(arrival_date) from {{ ref('stg_opera__reservations') }})
      and date_day < (select max(departure_date) from {{ ref('stg_opera__reservations') }})
)

select
    n.date_day as inventory_date,
    r.property_code,
    r.room_type_code,
    count(*) as rooms_in_service,
    count(o.room_id) as rooms_out_of_order
from nights as n
inner join {{ ref('stg_opera__rooms') }} as r
    on r.in_service_from <= n.date_day
left join {{ ref('stg_opera__room_out_of_order') }} as o
    on o.room_id = r.room_id
    and n.date_day between o.out_of_order_from and o.out_of_order_to
group by 1, 2, 3
