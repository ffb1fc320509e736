select id as order_line_id, order_ref as order_id, product as product_id, qty as quantity, price as unit_price
from {{ source('marketplace_raw', 'order_lines') }}
