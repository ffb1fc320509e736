select
    impression_id,
    player_id,
    title_code,
    served_at,
    ad_format,
    ad_network,
    ad_revenue_usd
from {{ ref('base_mediation__ad_impressions') }}
