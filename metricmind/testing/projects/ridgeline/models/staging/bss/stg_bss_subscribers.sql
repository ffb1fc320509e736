select
    sub_id as subscriber_id,
    msisdn,
    case segment_cd when 'PRE' then 'prepaid' when 'POST' then 'postpaid' when 'FBB' then 'fibre'
        when 'BIZ' then 'business' end as segment,
    case when segment_cd = 'FBB' then 'fixed' else 'mobile' end as line_type,
    tariff_cd as tariff_code,
    case tariff_cd
        when 'RL-PRE-05' then 'Flex 5' when 'RL-PRE-15' then 'Flex 15' when 'RL-PRE-UNL' then 'Flex Unlimited'
        when 'RL-POST-20' then 'Smart 20' when 'RL-POST-50' then 'Smart 50' when 'RL-POST-UNL' then 'Smart Unlimited'
        when 'RL-FIB-300' then 'Fibra 300' when 'RL-FIB-1000' then 'Fibra 1 Giga'
        when 'RL-BIZ-PRO' then 'Business Pro' when 'RL-BIZ-UNL' then 'Business Unlimited'
    end as tariff_name,
    case when tariff_cd in ('RL-PRE-05', 'RL-POST-20', 'RL-FIB-300', 'RL-BIZ-PRO') then 'entry'
        when tariff_cd in ('RL-PRE-15', 'RL-POST-50') then 'mid' else 'top' end as tariff_tier,
    case region_cd when 'NO' then 'Norte' when 'CE' then 'Centro' when 'LX' then 'Lisboa'
        when 'AL' then 'Alentejo' when 'AG' then 'Algarve' end as region,
    city,
    case sales_chnl_cd when 'SHOP' then 'shop' when 'WEB' then 'web' when 'RSL' then 'reseller' end
        as acquisition_channel,
    store_id,
    case handset_brand_cd when 'APL' then 'Apple' when 'SAM' then 'Samsung' when 'XIA' then 'Xiaomi'
        when 'GOO' then 'Google' when 'MOT' then 'Motorola' when 'OTH' then 'Other' end as handset_brand,
    five_g_ind = 'Y' as is_5g,
    contract_end_dt,
    contract_end_dt is not null as has_contract,
    autopay_ind = 'Y' as has_autopay,
    mnp_in_ind = 'Y' as is_port_in,
    activation_dt,
    deactivation_dt as disconnection_dt,
    case deact_reason_cd
        when 'INACT' then 'prepaid_inactivity' when 'PORT_OUT' then 'ported_out' when 'PRICE' then 'price'
        when 'MOVE' then 'moved_house' when 'COMPETITOR' then 'competitor_offer' when 'SERVICE' then 'service_quality'
        when 'NONPAY' then 'non_payment' when 'COVERAGE' then 'coverage' when 'OTHER' then 'other'
    end as disconnection_reason,
    web_order_ref as web_order_id
from {{ source('bss', 'crm_subscribers') }}
