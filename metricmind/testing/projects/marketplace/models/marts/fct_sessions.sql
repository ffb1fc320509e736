select session_id, buyer_id, started_at, case when is_bounce then 1 else 0 end as bounced
from {{ ref('stg_sessions') }}
