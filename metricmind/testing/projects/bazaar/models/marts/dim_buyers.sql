-- one row per buyer account
select buyer_id, email, buyer_country, acquisition_source, signup_at
from {{ ref('stg_bazaar__buyers') }}
