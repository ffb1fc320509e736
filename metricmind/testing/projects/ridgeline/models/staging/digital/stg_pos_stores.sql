select
    store_id,
    store_name,
    case store_type when 'OWN' then 'own_shop' when 'RSL' then 'reseller' when 'WEB' then 'web_store' end
        as store_type,
    case region_cd when 'NO' then 'Norte' when 'CE' then 'Centro' when 'LX' then 'Lisboa'
        when 'AL' then 'Alentejo' when 'AG' then 'Algarve' end as store_region
from {{ source('pos', 'pos_stores') }}
