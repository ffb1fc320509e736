select
    order_ref as web_order_id,
    created_at as order_ts,
    product_cd as ordered_tariff_code,
    case region_cd when 'NO' then 'Norte' when 'CE' then 'Centro' when 'LX' then 'Lisboa'
        when 'AL' then 'Alentejo' when 'AG' then 'Algarve' end as delivery_region,
    lower(order_status) as order_status
from {{ source('eshop', 'eshop_orders') }}
