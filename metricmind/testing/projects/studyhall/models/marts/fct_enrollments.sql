-- One row per enrollment (learner x course). A completed enrollment has its completion date.
select
    e.enrollment_id,
    e.learner_id,
    e.course_code,
    cast(e.enrolled_at as date) as enrolled_date,
    e.completed_on as completed_date,
    e.enrollment_status,
    e.completed_on is not null as is_completed,
    e.via_seat as is_seat_enrollment,
    datediff('day', cast(e.enrolled_at as date), e.completed_on) as days_to_complete
from {{ ref('stg_enrollments') }} as e
