select visit_id, customer_id, cast(visited_at as date) as visited_at, channel from {{ ref('raw_visits') }}
