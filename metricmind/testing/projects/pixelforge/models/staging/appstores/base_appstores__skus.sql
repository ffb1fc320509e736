select
    sku,
    product_type,
    usd_list_price,
    gems_granted
from {{ source('appstores', 'store_skus') }}
