select
    org_id as company_account_id,
    snapshot_date,
    seats_purchased,
    seats_assigned
from {{ source('app_db', 'seat_snapshots') }}
