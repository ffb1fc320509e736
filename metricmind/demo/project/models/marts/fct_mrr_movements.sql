-- One row per customer, month and kind of MRR movement (new, reactivation, expansion, contraction,
-- churn). Signed amounts add up to the month's change in MRR.
with lifecycle as (
    select * from {{ ref('mart_customer_lifecycle_canonical') }}
),

movements as (
    select customer_month_id, customer_id, subscription_id, month_start, 'new' as movement_type,
        new_mrr - reactivation_mrr as amount, 1 as sign
    from lifecycle
    union all
    select customer_month_id, customer_id, subscription_id, month_start, 'reactivation', reactivation_mrr, 1
    from lifecycle
    union all
    select customer_month_id, customer_id, subscription_id, month_start, 'expansion', expansion_mrr, 1
    from lifecycle
    union all
    select customer_month_id, customer_id, subscription_id, month_start, 'contraction', contraction_mrr, -1
    from lifecycle
    union all
    select customer_month_id, customer_id, subscription_id, month_start, 'churn', churned_mrr, -1
    from lifecycle
)

select
    customer_month_id || '-' || movement_type as movement_id,
    customer_id,
    subscription_id,
    month_start,
    movement_type,
    amount,
    sign * amount as signed_amount
from movements
where amount <> 0
