select
    receipt_id as purchase_id,
    player_id,
    store,
    sku,
    purchased_ts as purchased_at,
    local_price,
    currency as currency_code,
    refunded_ts as refunded_at
from {{ source('appstores', 'iap_receipts') }}
