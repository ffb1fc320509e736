select code as region_code, name as region_name
from {{ source('marketplace_raw', 'regions') }}
