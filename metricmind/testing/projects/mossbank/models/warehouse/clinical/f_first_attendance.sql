-- The first attended appointment of each referral episode (referrals never seen have no row).
select
    referral_key,
    patient_key,
    clinic_key,
    min(appt_dt) as first_attended_dt
from {{ ref('stg_pms__appointments') }}
where appt_status = 'attended'
group by 1, 2, 3
