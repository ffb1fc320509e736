-- One row per occupied room per night (stayed reservations only), with the night's room revenue in EUR.
select
    p.reservation_id || '/' || strftime(p.charge_date, '%Y%m%d') as room_night_id,
    p.reservation_id,
    p.guest_id,
    p.property_code,
    p.room_type_code,
    p.charge_date as stay_date,
    dayofweek(p.charge_date) in (5, 6) as is_weekend_night,
    r.booking_channel,
    r.channel_group,
    r.rate_plan,
    r.market_segment,
    p.amount_eur as room_revenue_eur
from {{ ref('int_folio_postings_eur') }} as p
inner join {{ ref('fct_reservations') }} as r
    on r.reservation_id = p.reservation_id
where p.charge_type = 'room_night'
