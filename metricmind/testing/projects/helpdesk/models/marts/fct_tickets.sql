-- one row per ticket that was not deleted, with its SLA targets and timings in minutes
select
    t.ticket_id,
    t.account_id,
    t.assignee_id,
    t.via_channel,
    t.ticket_priority,
    t.ticket_status,
    t.created_ts,
    t.first_reply_ts,
    t.solved_ts,
    date_diff('minute', t.created_ts, t.first_reply_ts) as first_reply_mins,
    date_diff('minute', t.created_ts, t.solved_ts) as resolution_mins,
    case when t.first_reply_ts is null then null
         when date_diff('minute', t.created_ts, t.first_reply_ts) > p.first_reply_target_mins then 1
         else 0 end as breached_first_reply_sla,
    t.solved_ts is not null as is_solved
from {{ ref('stg_zendesk_tickets') }} as t
left join {{ ref('stg_zendesk_sla_policies') }} as p on p.ticket_priority = t.ticket_priority
where not t.is_deleted
