select
    attempt_id as quiz_attempt_id,
    user_id as learner_id,
    course_code,
    quiz_code,
    attempt_no as attempt_number,
    submitted_at,
    score as score_pct,
    passed as is_passed
from {{ source('app_db', 'quiz_attempts') }}
