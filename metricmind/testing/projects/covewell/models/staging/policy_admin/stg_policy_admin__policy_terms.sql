select
    pol_no || '-' || lpad(cast(term_seq as varchar), 2, '0') as policy_term_id,
    pol_no as policy_number,
    term_seq as term_number,
    case lob_cd when 'PA' then 'motor' when 'HO' then 'home' end as line_of_business,
    case prod_tier_cd when 'ESS' then 'essential' when 'PLS' then 'plus' when 'PRM' then 'premier' end as product_tier,
    case channel_cd when 'AGT' then 'agent' when 'WEB' then 'online' when 'AGG' then 'aggregator' end as sales_channel,
    producer_cd as agent_code,
    risk_state as state,
    insured_id as customer_id,
    quote_ref as quote_id,
    eff_dt as effective_date,
    exp_dt as expiration_date,
    written_dt as written_date,
    annual_prem as annual_premium,
    coalesce(telematics_ind = 'Y', false) as has_telematics,
    paperless_ind = 'Y' as is_paperless,
    case pay_plan_cd when 'PIF' then 'paid_in_full' when 'EFT12' then 'monthly' end as payment_plan,
    cancel_dt as cancellation_date,
    case term_status_rsn
        when 'NP' then 'non_payment'
        when 'IR' then 'insured_request'
        when 'UW' then 'underwriting'
    end as cancellation_reason,
    coalesce(term_status_rsn = 'NONRENEW', false) as is_carrier_nonrenewed
from {{ source('policy_admin', 'policy_terms') }}
