select room_type_code, room_type_name, max_occupancy, is_suite
from {{ ref('stg_opera__room_types') }}
