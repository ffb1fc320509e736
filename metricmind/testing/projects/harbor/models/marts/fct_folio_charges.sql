select
    posting_id,
    reservation_id,
    guest_id,
    property_code,
    charge_date,
    revenue_department,
    charge_type,
    currency_code as local_currency,
    amount_local,
    amount_eur
from {{ ref('int_folio_postings_eur') }}
