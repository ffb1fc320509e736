select
    "agentId" as agent_id,
    "displayName" as agent_name,
    "teamName" as support_team,
    "hiredTs" as hired_ts,
    "isActive" as is_active
from {{ source('zendesk', 'agents') }}
