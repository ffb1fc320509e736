-- Treatment and procedure lines charged, dated on the appointment day (GBP, net of discount).
select
    t.tx_line_key,
    t.appt_key,
    a.patient_key,
    a.clinic_key,
    a.clinician_key,
    a.appt_dt as service_dt,
    t.procedure_code,
    case t.procedure_code
        when 'PHY-IA' then 'Physio initial assessment' when 'PHY-FU' then 'Physio follow-up'
        when 'PHY-ACU' then 'Acupuncture' when 'PHY-ESWT' then 'Shockwave therapy'
        when 'DEN-EXM' then 'Dental examination' when 'DEN-SP' then 'Scale and polish' when 'DEN-FIL' then 'Filling'
        when 'DEN-XR' then 'Dental x-ray' when 'DEN-RCT' then 'Root canal treatment' when 'DEN-CRN' then 'Crown'
        when 'GP-CON' then 'GP consultation' when 'GP-BLD' then 'Blood test' when 'GP-VAC' then 'Vaccination'
        when 'IMG-XR' then 'X-ray' when 'IMG-US' then 'Ultrasound' when 'IMG-CT' then 'CT scan'
        when 'IMG-MRI' then 'MRI scan' when 'DNA-FEE' then 'Missed appointment fee'
    end as procedure_name,
    case when t.procedure_code = 'DNA-FEE' then 'missed_appointment_fee'
        when t.procedure_code in ('DEN-RCT', 'DEN-CRN', 'DEN-FIL') then 'restorative'
        when t.procedure_code like 'IMG-%' then 'diagnostic_imaging'
        else 'consultation_and_therapy' end as procedure_group,
    t.quantity,
    t.fee_gbp,
    t.discount_gbp,
    t.net_fee_gbp
from {{ ref('stg_pms__treatment_lines') }} as t
inner join {{ ref('stg_pms__appointments') }} as a using (appt_key)
