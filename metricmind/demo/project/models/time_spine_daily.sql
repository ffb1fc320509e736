-- One row per day from the first day of data through the build's as-of date, with the fiscal calendar
-- (fiscal years start on February 1st) as custom granularities: metric_time__fiscal_quarter, __fiscal_year.
select
    cast(d as date) as date_day,
    cast(date_trunc('quarter', d - interval 1 month) + interval 1 month as date) as fiscal_quarter_start,
    cast(date_trunc('year', d - interval 1 month) + interval 1 month as date) as fiscal_year_start
from generate_series(
    (select start_date from {{ source('raw', 'build_info') }}),
    (select as_of from {{ source('raw', 'build_info') }}),
    interval 1 day
) as t(d)
