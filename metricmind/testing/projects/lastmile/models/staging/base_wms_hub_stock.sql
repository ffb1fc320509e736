select
    hub as hub_code,
    scan_date as ds,
    on_floor as parcels_on_hand,
    past_promise as parcels_overdue
from {{ source('wms', 'hub_stock_eod') }}
