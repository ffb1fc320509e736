select
    month_start,
    currency as currency_code,
    usd_per_unit
from {{ source('appstores', 'fx_monthly') }}
