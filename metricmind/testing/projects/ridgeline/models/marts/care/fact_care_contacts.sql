select
    contact_id,
    subscriber_id,
    contact_ts,
    cast(contact_ts as date) as contact_dt,
    contact_channel,
    contact_reason,
    is_first_contact_resolved
from {{ ref('stg_care_interactions') }}
