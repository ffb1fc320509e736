select
    id as visit_id,
    buyer_id,
    visited_at,
    utm_source
from {{ source('bazaar_raw', 'visits') }}
