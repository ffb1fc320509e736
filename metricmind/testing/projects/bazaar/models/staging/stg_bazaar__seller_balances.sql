select
    seller_id,
    as_of as as_of_date,
    balance_cents / 100.0 as payout_balance
from {{ source('bazaar_raw', 'seller_balances') }}
