select
    "accountId" as account_id,
    "accountName" as account_name,
    "planName" as plan_name,
    "salesRegion" as sales_region,
    "isDeleted" as is_deleted,
    "createdTs" as created_ts
from {{ source('zendesk', 'accounts') }}
