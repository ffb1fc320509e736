select
    title_code,
    title_name,
    genre,
    launched_on,
    case title_code when 'PR' then 'Montreal' else 'Helsinki' end as studio
from {{ ref('base_gamebackend__titles') }}
