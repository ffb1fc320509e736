-- Active patients at each month end: attended at least once in the 12 months to the month end. History starts
-- with the PMS migration (January 2024), so early 2024 months count less than a full year of visits.
with month_ends as (
    select cast(last_day(m) as date) as snapshot_dt
    from generate_series(cast('2024-01-01' as timestamp), cast('2025-12-01' as timestamp), interval '1 month') as g(m)
),

visits as (
    select distinct patient_key, appt_dt from {{ ref('stg_pms__appointments') }} where appt_status = 'attended'
)

select
    v.patient_key || '-' || strftime(m.snapshot_dt, '%Y%m') as patient_month_key,
    v.patient_key,
    m.snapshot_dt,
    max(v.appt_dt) as last_attended_dt
from month_ends as m
inner join visits as v on v.appt_dt <= m.snapshot_dt and v.appt_dt > m.snapshot_dt - interval 12 month
group by 1, 2, 3
