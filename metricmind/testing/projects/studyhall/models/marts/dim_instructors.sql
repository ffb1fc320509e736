select instructor_id, instructor_name, instructor_country, is_staff
from {{ ref('stg_instructors') }}
