select
    member_no as member_id,
    profile_id as guest_id,
    enrolled_ts as enrolled_at,
    case tier_code
        when 'BLUE' then 'Blue'
        when 'SILVER' then 'Silver'
        when 'GOLD' then 'Gold'
        when 'PLAT' then 'Platinum'
    end as tier,
    lower(enrol_source) as enrolment_channel
from {{ source('circle', 'members') }}
