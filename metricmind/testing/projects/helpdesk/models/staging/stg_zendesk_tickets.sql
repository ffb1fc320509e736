select
    "ticketId" as ticket_id,
    "accountId" as account_id,
    "assigneeId" as assignee_id,
    "viaChannel" as via_channel,
    priority as ticket_priority,
    status as ticket_status,
    "createdTs" as created_ts,
    "firstReplyTs" as first_reply_ts,
    "solvedTs" as solved_ts,
    "isDeleted" as is_deleted
from {{ source('zendesk', 'tickets') }}
