-- Post-visit survey answers (0-10 likelihood to recommend). Promoters 9-10, passives 7-8, detractors 0-6.
select
    s.response_key,
    s.appt_key,
    a.patient_key,
    a.clinic_key,
    s.clinician_key,
    s.response_dt,
    s.recommend_score,
    case when s.recommend_score >= 9 then 'promoter' when s.recommend_score >= 7 then 'passive'
        else 'detractor' end as nps_category
from {{ ref('stg_feedback__survey_responses') }} as s
inner join {{ ref('stg_pms__appointments') }} as a using (appt_key)
