select
    response_id as response_key,
    appointment_ref as appt_key,
    clinician_ref as clinician_key,
    responded_on as response_dt,
    recommend_score
from {{ source('feedback', 'survey_responses') }}
