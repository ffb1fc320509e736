-- one row per loan on book per day (the servicer's end-of-day tape), with its delinquency bucket
select
    cast(loan_id as varchar) || '|' || cast(snapshot_date as varchar) as loan_day_id,
    loan_id,
    snapshot_date,
    outstanding_principal,
    days_past_due,
    case
        when days_past_due = 0 then 'current'
        when days_past_due < 30 then 'dpd_1_29'
        when days_past_due < 60 then 'dpd_30_59'
        else 'dpd_60_89'
    end as delinquency_bucket
from {{ ref('stg_lms__loan_tape') }}
