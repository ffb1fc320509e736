select id as buyer_id, region as region_code, tier as loyalty_tier, signed_up_on as signed_up_at
from {{ source('marketplace_raw', 'buyers') }}
