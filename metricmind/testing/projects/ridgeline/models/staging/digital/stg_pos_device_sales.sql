select
    sale_id as device_sale_id,
    sub_id as subscriber_id,
    store_id,
    sold_at as sold_ts,
    case brand_cd when 'APL' then 'Apple' when 'SAM' then 'Samsung' when 'XIA' then 'Xiaomi'
        when 'GOO' then 'Google' when 'MOT' then 'Motorola' when 'OTH' then 'Other' end as device_brand,
    model as device_model,
    retail_price_eur as device_price_eur,
    instalment_months
from {{ source('pos', 'pos_device_sales') }}
