-- End-of-day gem economy per title and platform (gems granted, sunk and held by players at day end).
select
    title_code || '-' || platform || '-' || strftime(snapshot_date, '%Y%m%d') as economy_row_id,
    snapshot_date,
    title_code,
    platform,
    gems_granted,
    gems_sunk,
    gems_outstanding_eod as gems_outstanding
from {{ ref('base_gamebackend__economy_daily') }}
