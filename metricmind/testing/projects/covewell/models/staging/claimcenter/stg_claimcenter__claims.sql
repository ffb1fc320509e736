select
    claim_no as claim_id,
    pol_no || '-' || lpad(cast(term_seq as varchar), 2, '0') as policy_term_id,
    loss_dt as loss_date,
    reported_dt as reported_date,
    case peril_cd
        when 'COLL' then 'collision'
        when 'GLASS' then 'glass'
        when 'THEFT' then 'theft'
        when 'ANIMAL' then 'animal'
        when 'LIAB' then 'liability'
        when 'HAIL' then 'hail'
        when 'WATER' then 'water'
        when 'WIND' then 'wind'
        when 'FIRE' then 'fire'
        else 'other'
    end as peril,
    lower(claim_status) as claim_status,
    closed_dt as closed_date,
    cat_code as catastrophe_code,
    siu_referral_flag as is_siu_referral,
    os_reserve_amt as case_reserve
from {{ source('claimcenter', 'claims') }}
