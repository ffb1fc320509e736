-- Rated usage per line and month (mediation). Data in GB (1 GB = 1024 MB), voice in minutes.
select
    subscriber_id || '-' || strftime(usage_month, '%Y%m') as usage_id,
    subscriber_id,
    usage_month,
    data_gb,
    voice_minutes,
    sms_count,
    roaming_data_gb,
    roaming_voice_minutes,
    roaming_charges_eur,
    roaming_data_gb > 0 or roaming_voice_minutes > 0 as is_roaming
from {{ ref('stg_bss_usage') }}
