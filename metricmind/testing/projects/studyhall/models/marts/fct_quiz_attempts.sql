select
    quiz_attempt_id,
    learner_id,
    course_code,
    quiz_code,
    attempt_number,
    submitted_at,
    score_pct,
    is_passed
from {{ ref('stg_quiz_attempts') }}
