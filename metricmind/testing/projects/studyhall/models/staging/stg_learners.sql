select
    id as learner_id,
    created_at as signed_up_at,
    upper(country) as country_code,
    signup_source as signup_channel,
    lower(plan_code) as plan,
    org_id as company_account_id,
    email_domain
from {{ source('app_db', 'users') }}
