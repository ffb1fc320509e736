-- one row per seller and day the balance was snapshotted
select
    seller_id || '-' || cast(as_of_date as varchar) as seller_day_id,
    seller_id,
    as_of_date,
    payout_balance
from {{ ref('stg_bazaar__seller_balances') }}
