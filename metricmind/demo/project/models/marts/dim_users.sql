-- One row per product user; users belong to customer accounts.
select
    user_id,
    account_id as customer_id,
    role,
    created_at,
    deactivated_at,
    deactivated_at is null as is_enabled
from {{ source('raw', 'product_users') }}
