-- Named insureds. Age and tenure are as of the 2025 year end close (2025-12-31).
with lines as (
    select
        customer_id,
        count(distinct line_of_business) as lines_held,
        count(distinct policy_number) as policies_held
    from {{ ref('fct_policy_terms') }}
    group by 1
)

select
    c.customer_id,
    c.birth_year,
    2025 - c.birth_year as age,
    case
        when 2025 - c.birth_year < 25 then '18-24'
        when 2025 - c.birth_year < 35 then '25-34'
        when 2025 - c.birth_year < 45 then '35-44'
        when 2025 - c.birth_year < 55 then '45-54'
        when 2025 - c.birth_year < 65 then '55-64'
        else '65+'
    end as age_band,
    c.home_state,
    c.customer_since,
    date_diff('year', c.customer_since, cast('2025-12-31' as date)) as tenure_years,
    case
        when date_diff('month', c.customer_since, cast('2025-12-31' as date)) < 12 then 'under 1 year'
        when date_diff('month', c.customer_since, cast('2025-12-31' as date)) < 36 then '1-2 years'
        when date_diff('month', c.customer_since, cast('2025-12-31' as date)) < 72 then '3-5 years'
        else '6+ years'
    end as tenure_band,
    coalesce(l.lines_held, 0) > 1 as is_multi_line,
    coalesce(l.policies_held, 0) as policies_held
from {{ ref('stg_policy_admin__insureds') }} as c
left join lines as l
    on l.customer_id = c.customer_id
