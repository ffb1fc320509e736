select r.response_id, r.ticket_id, r.responded_ts, r.rating, r.rating >= 4 as is_satisfied
from {{ ref('stg_zendesk_csat_responses') }} as r
join {{ ref('fct_tickets') }} as t on t.ticket_id = r.ticket_id
