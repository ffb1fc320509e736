select
    room_no as room_id,
    hotel_code as property_code,
    room_type as room_type_code,
    floor_no as floor_number,
    in_service_from
from {{ source('opera', 'rooms') }}
