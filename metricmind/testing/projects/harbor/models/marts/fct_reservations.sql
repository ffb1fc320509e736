-- One row per reservation (one room), dated by arrival; cancelled and no-show reservations included.
with spend as (
    select
        reservation_id,
        sum(case when charge_type = 'room_night' then amount_eur else 0 end) as room_revenue_eur,
        sum(amount_eur) as folio_total_eur
    from {{ ref('int_folio_postings_eur') }}
    group by 1
)

select
    r.reservation_id,
    r.guest_id,
    r.property_code,
    r.room_type_code,
    r.booked_at,
    r.arrival_date,
    r.departure_date,
    datediff('day', r.arrival_date, r.departure_date) as nights,
    datediff('day', cast(r.booked_at as date), r.arrival_date) as lead_time_days,
    r.adults + r.children as guest_count,
    r.booking_channel,
    case
        when r.booking_channel in ('direct_web', 'call_centre', 'walk_in', 'corporate_direct') then 'direct'
        when r.booking_channel in ('booking_com', 'expedia') then 'ota'
        else 'gds'
    end as channel_group,
    r.booking_channel in ('direct_web', 'call_centre', 'walk_in', 'corporate_direct') as is_direct,
    r.rate_plan,
    r.market_segment,
    r.reservation_status,
    r.reservation_status = 'cancelled' as is_cancelled,
    r.reservation_status = 'no_show' as is_no_show,
    r.cancelled_at,
    exists (
        select 1 from {{ ref('stg_circle__members') }} as m
        where m.guest_id = r.guest_id and m.enrolled_at <= r.booked_at
    ) as is_member_booking,
    coalesce(s.room_revenue_eur, 0) as room_revenue_eur,
    coalesce(s.folio_total_eur, 0) as folio_total_eur
from {{ ref('stg_opera__reservations') }} as r
left join spend as s
    on s.reservation_id = r.reservation_id
