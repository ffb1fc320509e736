select * from {{ ref('raw_regions') }}
