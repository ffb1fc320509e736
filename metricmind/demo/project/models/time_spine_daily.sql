-- One row per day from the first day of data through the build's as-of date.
select cast(d as date) as date_day
from generate_series(
    (select start_date from {{ source('raw', 'build_info') }}),
    (select as_of from {{ source('raw', 'build_info') }}),
    interval 1 day
) as t(d)
