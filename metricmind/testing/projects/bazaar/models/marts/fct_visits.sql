select visit_id, buyer_id, visited_at, utm_source
from {{ ref('stg_bazaar__visits') }}
