select
    site_id,
    case region_cd when 'NO' then 'Norte' when 'CE' then 'Centro' when 'LX' then 'Lisboa'
        when 'AL' then 'Alentejo' when 'AG' then 'Algarve' end as site_region,
    city as site_city,
    case tech when 'OLT' then 'fibre_olt' else tech end as site_technology
from {{ source('oss', 'noc_sites') }}
