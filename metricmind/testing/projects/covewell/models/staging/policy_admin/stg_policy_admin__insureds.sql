select
    insured_id as customer_id,
    birth_yr as birth_year,
    mail_state as home_state,
    insured_since as customer_since
from {{ source('policy_admin', 'insureds') }}
