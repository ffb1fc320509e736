select
    SITE_CD as clinic_key,
    SITE_NM as clinic_name,
    case RGN_CD when 'N' then 'North' when 'M' then 'Midlands' when 'S' then 'South' end as region,
    TOWN as city,
    case SVC_LINE_CD when 'PHY' then 'physiotherapy' when 'DEN' then 'dental' when 'GP' then 'primary_care'
        when 'IMG' then 'imaging' end as service_line,
    OPEN_DT as opened_dt
from {{ source('pms', 'SITE') }}
