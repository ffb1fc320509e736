-- Handsets sold with a line (cash or on instalments over 12, 24 or 36 months).
select
    device_sale_id,
    subscriber_id,
    store_id,
    sold_ts,
    cast(sold_ts as date) as sold_dt,
    device_brand,
    device_model,
    device_price_eur,
    instalment_months,
    instalment_months > 0 as is_instalment
from {{ ref('stg_pos_device_sales') }}
