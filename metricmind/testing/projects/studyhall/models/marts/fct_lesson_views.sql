select
    lesson_view_id,
    learner_id,
    course_code,
    lesson_number,
    viewed_at,
    round(watch_seconds / 60.0, 2) as watch_minutes,
    device
from {{ ref('stg_lesson_views') }}
