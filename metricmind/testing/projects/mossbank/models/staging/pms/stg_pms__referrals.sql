select
    REF_NO as referral_key,
    PATNO as patient_key,
    SITE_CD as clinic_key,
    REF_RCVD_DT as referral_dt,
    case REF_SRC_CD when 'GP' then 'gp' when 'SELF' then 'self' when 'INS' then 'insurer'
        when 'CONS' then 'consultant' end as referral_source,
    URG_FLG = 'Y' as is_urgent
from {{ source('pms', 'REFERRAL') }}
