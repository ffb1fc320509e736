select
    quote_ref as quote_id,
    quoted_at,
    cast(quoted_at as date) as quote_date,
    case lob_cd when 'PA' then 'motor' when 'HO' then 'home' end as line_of_business,
    case channel_cd when 'AGT' then 'agent' when 'WEB' then 'online' when 'AGG' then 'aggregator' end as sales_channel,
    producer_cd as agent_code,
    risk_state as state,
    case prod_tier_cd when 'ESS' then 'essential' when 'PLS' then 'plus' when 'PRM' then 'premier' end as product_tier,
    quoted_annual_prem as quoted_premium
from {{ source('rater', 'quotes') }}
