select
    PATNO as patient_key,
    AGE_GRP as age_band,
    case SEX_CD when 'F' then 'female' when 'M' then 'male' else 'not_stated' end as sex,
    PCODE_DIST as postcode_district,
    regexp_extract(PCODE_DIST, '^[A-Z]+') as postcode_area,
    case REG_SRC_CD when 'REF' then 'referral' when 'WEB' then 'online' when 'WLK' then 'walk_in' end
        as registration_channel,
    case PAYER_TYP_CD when 'SP' then 'self_pay' when 'PI' then 'private_insurance' when 'PS' then 'public_scheme' end
        as payer_type,
    case INS_CO_CD when 'NSH' then 'Northstar Health' when 'CLA' then 'Claremont Assurance'
        when 'PIN' then 'Pinecrest Medical' end as insurer_name,
    HOME_SITE_CD as home_clinic_key,
    REG_DT as registered_dt
from {{ source('pms', 'PT_MASTER') }}
