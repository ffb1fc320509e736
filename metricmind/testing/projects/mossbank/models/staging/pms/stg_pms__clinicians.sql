select
    STAFF_ID as clinician_key,
    case ROLE_CD when 'PHYSIO' then 'physiotherapist' when 'DENT' then 'dentist' when 'HYG' then 'hygienist'
        when 'GP' then 'gp' when 'PN' then 'practice_nurse' when 'RAD' then 'radiographer'
        when 'SONO' then 'sonographer' end as clinician_role,
    case GRADE_CD when 'J' then 'junior' when 'S' then 'senior' when 'L' then 'lead' end as clinician_grade,
    FTE as fte,
    BASE_SITE_CD as base_clinic_key,
    START_DT as started_dt
from {{ source('pms', 'STAFF') }}
