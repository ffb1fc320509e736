select
    enrollment_id,
    user_id as learner_id,
    course_code,
    enrolled_at,
    completed_on,
    state as enrollment_status,
    via_seat
from {{ source('app_db', 'enrollments') }}
