select
    pay_id as payment_id,
    invoice_no as invoice_id,
    pay_dt as payment_dt,
    pay_amt_eur as amount_eur,
    case pay_method_cd when 'DD' then 'direct_debit' when 'CARD' then 'card' when 'TRF' then 'bank_transfer'
        when 'CASH' then 'cash_in_shop' when 'MB' then 'multibanco' end as payment_method
from {{ source('bss', 'billing_payments') }}
