-- one row per customer account (soft-deleted accounts kept, flagged)
select account_id, account_name, plan_name, sales_region, is_deleted, created_ts
from {{ ref('stg_zendesk_accounts') }}
