-- Folio postings with the reservation's hotel and guest, converted to EUR at finance's monthly rate.
select
    p.posting_id,
    p.reservation_id,
    r.guest_id,
    r.property_code,
    r.room_type_code,
    p.charge_date,
    p.revenue_department,
    p.charge_type,
    p.currency_code,
    p.amount_local,
    round(p.amount_local * fx.eur_per_unit, 2) as amount_eur
from {{ ref('stg_opera__folio_postings') }} as p
inner join {{ ref('stg_opera__reservations') }} as r
    on r.reservation_id = p.reservation_id
inner join {{ ref('stg_opera__exchange_rates') }} as fx
    on fx.currency_code = p.currency_code
    and fx.rate_month = date_trunc('month', p.charge_date)
