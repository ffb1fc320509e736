select
    view_id as lesson_view_id,
    user_id as learner_id,
    course_code,
    lesson_no as lesson_number,
    started_at as viewed_at,
    watch_seconds,
    client as device
from {{ source('app_db', 'lesson_views') }}
