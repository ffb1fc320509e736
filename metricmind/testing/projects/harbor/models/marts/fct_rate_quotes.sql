select quote_id, guest_id, property_code, quoted_at, requested_arrival_date, requested_nights
from {{ ref('stg_booking_engine__rate_quotes') }}
