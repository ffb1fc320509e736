select cast(d as date) as date_day
from generate_series(date '2022-12-01', date '2025-01-31', interval 1 day) as t(d)
