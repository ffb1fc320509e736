-- Prepaid top-ups (face value, EUR incl. VAT as sold), attached to the line by MSISDN.
select
    r.recharge_id,
    s.subscriber_id,
    r.msisdn,
    r.recharge_ts,
    r.recharge_dt,
    r.amount_eur,
    r.recharge_channel
from {{ ref('stg_bss_recharges') }} as r
left join {{ ref('stg_bss_subscribers') }} as s on s.msisdn = r.msisdn
