select
    course_code,
    course_title,
    category,
    difficulty,
    instructor_id,
    lesson_count,
    list_price_usd,
    published_on
from {{ ref('stg_courses') }}
