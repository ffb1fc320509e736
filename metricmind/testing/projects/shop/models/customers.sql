select customer_id, name, segment, region_id, cast(signup_date as date) as signup_date, acquisition_channel
from {{ ref('raw_customers') }}
