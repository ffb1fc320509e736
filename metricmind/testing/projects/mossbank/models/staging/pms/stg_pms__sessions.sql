select
    SESS_ID as session_key,
    STAFF_ID as clinician_key,
    SITE_CD as clinic_key,
    SESS_DT as session_dt,
    case SESS_TYP when 'AM' then 'half_day' else 'full_day' end as session_type,
    AVAIL_MINS as available_mins
from {{ source('pms', 'ROTA_SESS') }}
