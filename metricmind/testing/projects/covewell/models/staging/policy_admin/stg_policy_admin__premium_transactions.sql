select
    txn_id as transaction_id,
    pol_no || '-' || lpad(cast(term_seq as varchar), 2, '0') as policy_term_id,
    case txn_type_cd
        when 'NB' then 'new_business'
        when 'RN' then 'renewal'
        when 'EN' then 'endorsement'
        when 'CN' then 'cancellation'
    end as transaction_type,
    txn_eff_dt as effective_date,
    booked_dt as booked_date,
    prem_amt as premium_amount
from {{ source('policy_admin', 'premium_transactions') }}
