select
    id as loan_id,
    application_id,
    customer_id as borrower_id,
    product_code as loan_product,
    disbursed_on as funded_date,
    principal_cents / 100.0 as principal_amount,
    apr_pct as apr,
    term_months,
    "riskGrade",
    status as loan_status,
    charged_off_on as charged_off_date
from {{ source('lms', 'loans') }}
