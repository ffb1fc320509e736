select
    payment_id,
    user_id as learner_id,
    org_id as company_account_id,
    created as paid_at,
    type as payment_type,
    plan as subscription_plan,
    course_code,
    amount / 100.0 as amount_local,
    currency as currency_code,
    method as payment_method
from {{ source('billing', 'payments') }}
