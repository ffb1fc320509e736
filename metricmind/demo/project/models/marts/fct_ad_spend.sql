-- One row per day and paid campaign: what the ad platforms charged, with reach.
select
    strftime(spend_date, '%Y%m%d') || '-' || campaign as ad_spend_id,
    spend_date,
    channel,
    campaign,
    cast(spend_cents / 100 as decimal(18, 2)) as spend,
    impressions,
    clicks
from {{ source('raw', 'marketing_ad_spend') }}
