select
    review_id,
    resv_no as reservation_id,
    hotel_code as property_code,
    platform as review_platform,
    submitted_ts as submitted_at,
    rating_10 as review_score,
    would_recommend
from {{ source('reputation', 'guest_reviews') }}
