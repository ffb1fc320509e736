select currency_code, month_start as rate_month, eur_per_unit
from {{ source('opera', 'exchange_rates') }}
