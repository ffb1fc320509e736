select customer_id, cast(balance_date as date) as balance_date, balance from {{ ref('raw_balances') }}
