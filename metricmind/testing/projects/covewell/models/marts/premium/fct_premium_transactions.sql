-- Premium bookings, dated by the booking date. Written premium is signed: cancellations carry the pro-rata
-- return premium as a negative amount.
select
    t.transaction_id,
    t.policy_term_id,
    t.transaction_type,
    t.effective_date,
    t.booked_date,
    t.premium_amount as written_premium,
    case when t.transaction_type = 'cancellation' then -t.premium_amount else 0 end as return_premium
from {{ ref('stg_policy_admin__premium_transactions') }} as t
