select
    id as borrower_id,
    state_code,
    credit_band,
    acquisition_channel,
    created_at as signed_up_at,
    kyc_verified as is_kyc_verified
from {{ source('lms', 'customers') }}
