select
    sub_id as subscriber_id,
    usage_month,
    data_mb / 1024.0 as data_gb,
    voice_min as voice_minutes,
    sms_cnt as sms_count,
    roam_data_mb / 1024.0 as roaming_data_gb,
    roam_voice_min as roaming_voice_minutes,
    roam_chg_eur as roaming_charges_eur
from {{ source('bss', 'mediation_usage_monthly') }}
