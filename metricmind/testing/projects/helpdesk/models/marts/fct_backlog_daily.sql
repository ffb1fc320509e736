-- open tickets at the end of each day, per priority and team
with days as (
    select cast(d as date) as as_of_date
    from generate_series(cast('2024-01-01' as timestamp), cast('2024-06-30' as timestamp), interval '1 day') as g(d)
)

select
    cast(days.as_of_date as varchar) || '|' || t.ticket_priority || '|' || coalesce(a.support_team, 'none')
        as backlog_key,
    days.as_of_date,
    t.ticket_priority,
    coalesce(a.support_team, 'none') as support_team,
    count(*) as open_tickets
from days
join {{ ref('fct_tickets') }} as t
    on cast(t.created_ts as date) <= days.as_of_date
    and (t.solved_ts is null or cast(t.solved_ts as date) > days.as_of_date)
left join {{ ref('dim_agents') }} as a on a.agent_id = t.assignee_id
group by 1, 2, 3, 4
