select
    org_id as company_account_id,
    org_name as company_name,
    industry,
    contract_tier,
    contract_start as contract_started_on
from {{ source('app_db', 'orgs') }}
