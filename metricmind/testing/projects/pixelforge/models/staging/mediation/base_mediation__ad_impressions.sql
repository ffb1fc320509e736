select
    impression_id,
    player_id,
    title_id as title_code,
    served_ts as served_at,
    ad_format,
    ad_network,
    revenue_usd_micros / 1000000.0 as ad_revenue_usd
from {{ source('mediation', 'ad_impressions') }}
