-- The reporting calendar: one row per month of the warehouse's reporting window (Jan 2024 onwards, after the
-- PAS migration), with its first and last day.
select
    cast(m as date) as month_start,
    cast(last_day(m) as date) as month_end
from generate_series(cast('2024-01-01' as timestamp), cast('2025-12-01' as timestamp), interval '1 month') as g(m)
