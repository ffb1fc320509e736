select
    quote_id,
    profile_id as guest_id,
    hotel_code as property_code,
    quoted_ts as quoted_at,
    arrival_dt as requested_arrival_date,
    nights as requested_nights,
    quoted_rate as quoted_rate_local
from {{ source('booking_engine', 'rate_quotes') }}
