select
    APPT_NO as appt_key,
    PATNO as patient_key,
    SITE_CD as clinic_key,
    STAFF_ID as clinician_key,
    REF_NO as referral_key,
    APPT_DT as appt_dt,
    BKD_DT as booked_dt,
    case APPT_TYP_CD when 'NEW' then 'new' when 'FU' then 'follow_up' end as appt_type,
    case ATT_STAT_CD when 'A' then 'attended' when 'D' then 'dna' when 'LC' then 'late_cancellation'
        when 'EC' then 'early_cancellation' end as appt_status,
    TELE_FLG = 'Y' as is_telehealth,
    URG_FLG = 'Y' as is_urgent,
    FIRST_VST_FLG = 'Y' as is_first_visit,
    SLOT_MINS as booked_mins
from {{ source('pms', 'APPT') }}
