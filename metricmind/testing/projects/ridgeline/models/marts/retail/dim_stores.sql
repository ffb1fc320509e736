select store_id, store_name, store_type, store_region
from {{ ref('stg_pos_stores') }}
