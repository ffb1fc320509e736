select priority as ticket_priority, "firstReplyTargetMins" as first_reply_target_mins,
    "resolveTargetHours" as resolve_target_hours
from {{ source('zendesk', 'sla_policies') }}
