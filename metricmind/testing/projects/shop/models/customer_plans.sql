-- Slowly changing dimension (type II): each customer's plan over time; valid_to is NULL for the current row.
select customer_id, plan, cast(valid_from as date) as valid_from, cast(valid_to as date) as valid_to
from {{ ref('raw_customer_plans') }}
