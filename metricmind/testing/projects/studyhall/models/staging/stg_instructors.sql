select
    instructor_id,
    full_name as instructor_name,
    country as instructor_country,
    is_staff
from {{ source('app_db', 'instructors') }}
