-- Referrals received, with the service line of the clinic referred to.
select r.*, c.service_line
from {{ ref('stg_pms__referrals') }} as r
left join {{ ref('stg_pms__clinics') }} as c using (clinic_key)
