-- One row per install. Spender tier from lifetime (not refunded) IAP spend in USD.
with spend as (
    select
        player_id,
        sum(case when not is_refunded then gross_revenue_usd else 0 end) as lifetime_spend_usd,
        min(purchased_at) as first_purchase_at
    from {{ ref('int_iap_purchases_usd') }}
    group by 1
)

select
    p.player_id,
    p.title_code,
    p.installed_at,
    cast(p.installed_at as date) as install_date,
    p.platform,
    p.country_code,
    coalesce(a.media_source, 'organic') as acquisition_source,
    a.campaign_name,
    a.media_source is null as is_organic,
    coalesce(s.lifetime_spend_usd, 0) as lifetime_spend_usd,
    coalesce(s.lifetime_spend_usd, 0) > 0 as is_payer,
    case
        when coalesce(s.lifetime_spend_usd, 0) = 0 then 'non_payer'
        when s.lifetime_spend_usd < 20 then 'minnow'
        when s.lifetime_spend_usd < 100 then 'dolphin'
        else 'whale'
    end as spender_tier,
    s.first_purchase_at,
    r.is_d1_matured,
    r.is_d7_matured,
    r.is_retained_d1,
    r.is_retained_d7
from {{ ref('base_gamebackend__players') }} as p
left join {{ ref('base_attribution__installs') }} as a
    on a.player_id = p.player_id
left join spend as s
    on s.player_id = p.player_id
left join {{ ref('int_player_retention') }} as r
    on r.player_id = p.player_id
