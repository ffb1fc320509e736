select
    resv_no as reservation_id,
    profile_id as guest_id,
    hotel_code as property_code,
    room_type as room_type_code,
    created_ts as booked_at,
    arrival_dt as arrival_date,
    departure_dt as departure_date,
    adults,
    children,
    case source_code
        when 'WEB' then 'direct_web'
        when 'CALL' then 'call_centre'
        when 'BDC' then 'booking_com'
        when 'EXP' then 'expedia'
        when 'GDS' then 'gds'
        when 'WALK' then 'walk_in'
        when 'CORP' then 'corporate_direct'
    end as booking_channel,
    case rate_code
        when 'BAR' then 'best_available'
        when 'ADV' then 'advance_purchase'
        when 'PKG' then 'bed_and_breakfast'
        when 'MBR' then 'member_rate'
        when 'CORP' then 'corporate_negotiated'
    end as rate_plan,
    case segment_code
        when 'LEIS' then 'leisure'
        when 'CORP' then 'corporate'
        when 'GRP' then 'group'
    end as market_segment,
    case resv_status
        when 'CO' then 'stayed'
        when 'CX' then 'cancelled'
        when 'NS' then 'no_show'
    end as reservation_status,
    cancel_ts as cancelled_at
from {{ source('opera', 'reservations') }}
