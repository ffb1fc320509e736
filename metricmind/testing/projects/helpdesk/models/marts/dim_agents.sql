select agent_id, agent_name, support_team, hired_ts, is_active
from {{ ref('stg_zendesk_agents') }}
