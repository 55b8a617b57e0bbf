-- One row per person and period (each year and each biennium) with at least one counted distance
-- enrolment: the unique distance learners, counted once per biennium however many enrolments they made.
with distance as (
    select e.*, y.period, y.period_type
    from {{ ref('fct_enrolments') }} as e
    inner join {{ ref('int_year_periods') }} as y on y.year = e.year
    where e.channel = 'distance' and e.is_counted
      and left(y.period, 4)::integer >= {{ var('first_reporting_year') }}
),

per_person as (
    select
        person_key,
        period,
        period_type,
        count(*) as distance_enrolments,
        count(*) filter (where modality = 'self_guided') as self_guided_enrolments,
        count(*) filter (where modality = 'tutor_supported') as tutor_supported_enrolments,
        count(distinct source_system) as systems
    from distance
    group by person_key, period, period_type
)

select
    pp.person_key || ':' || pp.period as learner_period_key,
    pp.person_key,
    pp.period,
    pp.period_type,
    pp.distance_enrolments,
    case
        when pp.self_guided_enrolments > 0 and pp.tutor_supported_enrolments > 0 then 'both'
        when pp.self_guided_enrolments > 0 then 'self_guided'
        else 'tutor_supported'
    end as modality,
    p.gender,
    p.constituent_group,
    p.is_core_constituent,
    p.is_ilo_official,
    p.country_alpha2,
    p.ilo_region
from per_person as pp
inner join {{ ref('dim_persons') }} as p on p.person_key = pp.person_key
