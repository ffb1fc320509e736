-- Seats per company account at the end of each day (nightly snapshot).
select
    company_account_id || '-' || strftime(snapshot_date, '%Y%m%d') as seat_snapshot_id,
    company_account_id,
    snapshot_date,
    seats_purchased,
    seats_assigned
from {{ ref('stg_seat_snapshots') }}
