select
    adjustment_id as adjustment_key,
    invoice_id as invoice_key,
    posted_date as posted_dt,
    case adjustment_type when 'WO-DENIAL' then 'denied_claim' when 'WO-CONTRACT' then 'payer_shortfall'
        when 'WO-BADDEBT' then 'bad_debt' when 'WO-GOODWILL' then 'goodwill' end as write_off_type,
    amount as write_off_amt_gbp
from {{ source('rcm', 'adjustments') }}
