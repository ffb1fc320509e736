select
    property_code || '-' || room_type_code || '-' || strftime(inventory_date, '%Y%m%d') as inventory_row_id,
    property_code,
    room_type_code,
    inventory_date,
    rooms_in_service,
    rooms_out_of_order,
    rooms_in_service - rooms_out_of_order as rooms_available
from {{ ref('int_room_inventory_daily') }}
