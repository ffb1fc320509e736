select
    recharge_id,
    msisdn,
    recharge_ts,
    cast(recharge_ts as date) as recharge_dt,
    face_value_eur as amount_eur,
    case recharge_chnl when 'APP' then 'app' when 'RETAIL' then 'retail' when 'VOUCHER' then 'voucher'
        when 'WEB' then 'web' when 'AUTO' then 'auto_topup' end as recharge_channel
from {{ source('bss', 'ocs_recharges') }}
