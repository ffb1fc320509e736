-- Web store orders for a new line. An activated order's line carries its web_order_id in dim_subscribers.
select
    web_order_id,
    order_ts,
    cast(order_ts as date) as order_dt,
    ordered_tariff_code,
    delivery_region,
    order_status
from {{ ref('stg_eshop_orders') }}
