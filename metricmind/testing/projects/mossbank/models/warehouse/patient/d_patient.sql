-- Registered patients with their first attended visit (null when never seen since the PMS migration, Jan 2024).
with seen as (
    select patient_key, min(appt_dt) as first_attended_dt
    from {{ ref('stg_pms__appointments') }}
    where appt_status = 'attended'
    group by 1
)

select
    p.patient_key,
    p.age_band,
    p.sex,
    p.postcode_area,
    p.registration_channel,
    p.payer_type,
    coalesce(p.insurer_name, 'none') as insurer_name,
    p.home_clinic_key,
    p.registered_dt,
    s.first_attended_dt
from {{ ref('stg_pms__patients') }} as p
left join seen as s using (patient_key)
