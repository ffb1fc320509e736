select
    posting_id,
    resv_no as reservation_id,
    business_dt as charge_date,
    case trx_code
        when 'RM' then 'rooms'
        when 'NSF' then 'rooms'
        when 'FB' then 'food_and_beverage'
        when 'SPA' then 'spa'
        else 'other'
    end as revenue_department,
    case trx_code
        when 'RM' then 'room_night'
        when 'NSF' then 'no_show_fee'
        when 'FB' then 'restaurant_bar'
        when 'SPA' then 'spa_treatment'
        else 'sundry'
    end as charge_type,
    amount as amount_local,
    currency_code
from {{ source('opera', 'folio_postings') }}
