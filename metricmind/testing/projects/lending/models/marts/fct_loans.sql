-- one row per funded loan; is_first_loan marks the borrower's first loan with us
select
    loan_id,
    application_id,
    borrower_id,
    funded_date,
    loan_product,
    principal_amount,
    apr,
    term_months,
    "riskGrade",
    loan_status,
    charged_off_date,
    row_number() over (partition by borrower_id order by funded_date, loan_id) = 1 as is_first_loan
from {{ ref('stg_lms__loans') }}
