-- Appointments booked, one row each, dated on the appointment day. wait_days: referral received to a new
-- appointment (null for follow-ups). slot_mins_used: booked minutes unless cancelled early (slot released).
select
    a.appt_key,
    a.patient_key,
    a.clinic_key,
    a.clinician_key,
    a.referral_key,
    a.appt_dt,
    a.booked_dt,
    a.appt_type,
    a.appt_status,
    a.appt_status = 'attended' as is_attended,
    a.appt_status = 'dna' as is_dna,
    a.appt_status <> 'early_cancellation' as is_due,
    a.is_telehealth,
    a.is_urgent,
    a.is_first_visit,
    case when a.appt_type = 'new' then a.appt_dt - r.referral_dt end as wait_days,
    a.booked_mins,
    case when a.appt_status = 'early_cancellation' then 0 else a.booked_mins end as slot_mins_used
from {{ ref('stg_pms__appointments') }} as a
left join {{ ref('stg_pms__referrals') }} as r using (referral_key)
