select
    hub_code,
    ds,
    parcels_on_hand,
    parcels_overdue
from {{ ref('base_wms_hub_stock') }}
