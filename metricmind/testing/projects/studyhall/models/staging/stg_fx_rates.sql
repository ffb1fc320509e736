select
    month as rate_month,
    currency as currency_code,
    usd_per_unit
from {{ source('billing', 'fx_rates') }}
