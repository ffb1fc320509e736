select company_account_id, company_name, industry, contract_tier, contract_started_on
from {{ ref('stg_company_accounts') }}
