select
    interaction_id as contact_id,
    sub_id as subscriber_id,
    created_at as contact_ts,
    case channel when 'VOICE' then 'phone' when 'CHAT' then 'chat' when 'SHOP' then 'shop'
        when 'SOCIAL' then 'social_media' end as contact_channel,
    lower(topic) as contact_reason,
    fcr_flag = 'Y' as is_first_contact_resolved
from {{ source('care', 'care_interactions') }}
