-- one row per borrower (a customer of the LMS)
select borrower_id, state_code, credit_band, acquisition_channel, signed_up_at, is_kyc_verified
from {{ ref('stg_lms__borrowers') }}
