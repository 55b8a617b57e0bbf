-- Funding agreement indicators (PMSU register), per year and per biennium of signing:
-- 3.1 growth: `Signed` agreements signed in the period ÷ those signed in the previous period − 1 (a year's
--     previous period is the year before, a biennium's the biennium before); not emitted when the previous
--     period starts before the first reporting year or has no signed agreement.
-- 3.3 `Signed` agreements signed in the period whose amount in euros, at the rate of the signing month
--     (converted at extraction), exceeds 500,000.
with signed as (
    select * from {{ ref('int_agreements__in_euros') }}
    where is_signed and signed_year is not null
),

by_period as (
    select
        p.period,
        p.period_type,
        p.first_year,
        p.last_year - p.first_year + 1 as length_years,
        count(*) as signed_agreements,
        count(*) filter (where s.amount_eur > 500000) as signed_over_500k_eur
    from signed as s
    inner join {{ ref('int_year_periods') }} as p on p.year = s.signed_year
    group by p.period, p.period_type, p.first_year, p.last_year
),

growth as (
    select
        '3.1' as indicator_code,
        'funding_agreement_growth' as measure,
        cur.period,
        cur.period_type,
        cur.signed_agreements as numerator,
        prev.signed_agreements as denominator,
        100.0 * (cur.signed_agreements / prev.signed_agreements - 1) as value,
        'percent' as unit
    from by_period as cur
    inner join by_period as prev
        on prev.period_type = cur.period_type
        and prev.first_year = cur.first_year - cur.length_years
    where prev.first_year >= {{ var('first_reporting_year') }}
),

over_500k as (
    select
        '3.3' as indicator_code,
        'contracts_over_500k_eur' as measure,
        period,
        period_type,
        signed_over_500k_eur as numerator,
        null::bigint as denominator,
        signed_over_500k_eur::double as value,
        'count' as unit
    from by_period
    where first_year >= {{ var('first_reporting_year') }}
)

select
    indicator_code, measure, period, period_type,
    numerator::bigint as numerator, denominator::bigint as denominator, value::double as value, unit
from growth
union all
select
    indicator_code, measure, period, period_type,
    numerator::bigint as numerator, denominator::bigint as denominator, value::double as value, unit
from over_500k
