-- Indicator 1.1a (face-to-face participation), every measure for every year and biennium present.
-- One row per measure and period with its numerator and denominator, so biennium shares are pooled.
with counted as (
    select * from {{ ref('fct_enrolments') }}
    where channel = 'face_to_face' and is_counted
),

by_period as (
    select
        p.period,
        p.period_type,
        count(*) as registrations,
        count(*) filter (where c.gender = 'F') as women,
        count(*) filter (where c.constituent_group = 'employers') as employers,
        count(*) filter (where c.constituent_group = 'workers') as workers,
        count(*) filter (where c.constituent_group = 'government_labour') as labour_ministries,
        count(*) filter (where c.modality = 'blended') as blended
    from counted as c
    inner join {{ ref('int_year_periods') }} as p on p.year = c.year
    group by p.period, p.period_type
),

measures as (
    select period, period_type, 'face_to_face_registrations' as measure,
           registrations as numerator, null::bigint as denominator, 'count' as unit from by_period
    union all
    select period, period_type, 'women_share', women, registrations, 'percent' from by_period
    union all
    select period, period_type, 'employers', employers, null, 'count' from by_period
    union all
    select period, period_type, 'workers', workers, null, 'count' from by_period
    union all
    select period, period_type, 'labour_ministries', labour_ministries, null, 'count' from by_period
    union all
    select period, period_type, 'blended_share', blended, registrations, 'percent' from by_period
)

select
    '1.1a' as indicator_code,
    measure,
    period,
    period_type,
    numerator,
    denominator,
    case when unit = 'percent' then 100.0 * numerator / nullif(denominator, 0) else numerator::double end as value,
    unit
from measures
