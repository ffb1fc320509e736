-- One row per marketing channel: the conformed channel that ad spend and customer acquisition share,
-- so metrics from both sides (CAC = ad spend ÷ new customers) can be broken down by one channel.
select
    channel,
    max(has_spend) as has_ad_spend
from (
    select acquisition_channel as channel, false as has_spend from {{ ref('dim_customers_canonical') }}
    union all
    select channel, true as has_spend from {{ ref('fct_ad_spend') }}
) as channels
where channel is not null
group by channel
