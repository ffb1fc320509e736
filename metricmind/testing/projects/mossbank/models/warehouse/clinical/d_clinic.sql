select * from {{ ref('stg_pms__clinics') }}
