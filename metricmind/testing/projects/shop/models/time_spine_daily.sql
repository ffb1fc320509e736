select cast(d as date) as date_day
from generate_series(cast('2022-12-01' as date), cast('2025-01-31' as date), interval '1 day') as t(d)
