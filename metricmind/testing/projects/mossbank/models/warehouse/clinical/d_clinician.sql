-- Clinicians with their base clinic's service line.
select c.*, s.service_line as clinician_service_line
from {{ ref('stg_pms__clinicians') }} as c
left join {{ ref('stg_pms__clinics') }} as s on s.clinic_key = c.base_clinic_key
