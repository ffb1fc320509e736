select
    v.review_id,
    v.reservation_id,
    v.property_code,
    r.guest_id,
    v.review_platform,
    v.submitted_at,
    v.review_score,
    v.would_recommend
from {{ ref('stg_reputation__guest_reviews') }} as v
inner join {{ ref('stg_opera__reservations') }} as r
    on r.reservation_id = v.reservation_id
