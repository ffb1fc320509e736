select member_id, guest_id, enrolled_at, tier, enrolment_channel
from {{ ref('stg_circle__members') }}
