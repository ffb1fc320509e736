-- Reporting months since the BSS migration (January 2024): first and last day of each month.
select
    cast(m as date) as month_start,
    cast(last_day(m) as date) as month_end
from generate_series(cast('2024-01-01' as timestamp), cast('2025-12-01' as timestamp), interval '1 month') as g(m)
