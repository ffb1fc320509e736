select * from {{ ref('stg_pms__sessions') }}
