select
    receipt_id as receipt_key,
    invoice_id as invoice_key,
    receipt_date as receipt_dt,
    amount as receipt_amt_gbp,
    case method when 'CARD' then 'card' when 'CASH' then 'cash' when 'BACS' then 'bank_transfer'
        when 'REMIT' then 'payer_remittance' end as payment_method
from {{ source('rcm', 'receipts') }}
