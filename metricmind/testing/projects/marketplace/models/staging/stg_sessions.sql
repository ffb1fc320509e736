select id as session_id, buyer as buyer_id, started_on as started_at, bounced as is_bounce
from {{ source('marketplace_raw', 'sessions') }}
