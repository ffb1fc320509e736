select
    g.guest_id,
    g.profile_created_at,
    g.home_country,
    g.birth_year,
    g.has_marketing_consent,
    m.member_id is not null as is_loyalty_member,
    m.tier as loyalty_tier
from {{ ref('stg_opera__guest_profiles') }} as g
left join {{ ref('stg_circle__members') }} as m
    on m.guest_id = g.guest_id
