select
    profile_id as guest_id,
    created_ts as profile_created_at,
    nationality as home_country,
    birth_year,
    marketing_opt_in = 'Y' as has_marketing_consent
from {{ source('opera', 'guest_profiles') }}
