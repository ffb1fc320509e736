select buyer_id, region_code, loyalty_tier, signed_up_at from {{ ref('stg_buyers') }}
