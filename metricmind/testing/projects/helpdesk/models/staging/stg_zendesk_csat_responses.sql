select "responseId" as response_id, "ticketId" as ticket_id, "respondedTs" as responded_ts, rating
from {{ source('zendesk', 'csat_responses') }}
