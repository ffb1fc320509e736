select
    room_type as room_type_code,
    description as room_type_name,
    max_pax as max_occupancy,
    suite_yn = 'Y' as is_suite
from {{ source('opera', 'room_types') }}
