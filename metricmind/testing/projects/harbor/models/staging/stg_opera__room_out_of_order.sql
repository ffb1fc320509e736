select
    room_no as room_id,
    ooo_from as out_of_order_from,
    ooo_to as out_of_order_to,
    reason as out_of_order_reason
from {{ source('opera', 'room_out_of_order') }}
