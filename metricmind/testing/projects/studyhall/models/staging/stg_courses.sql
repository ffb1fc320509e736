select
    course_code,
    title as course_title,
    category,
    difficulty,
    instructor_id,
    lesson_count,
    list_price_usd,
    published_on
from {{ source('app_db', 'courses') }}
