-- Indicators about the delivered activities themselves (dim_activities), per year of start and per biennium:
-- 1.4 and 1.6 (partnerships), 1.7 (non-training share), 2.9 (diploma programmes), A.1 and B.1 (markers of
-- open courses). Biennium shares pool their numerators and denominators.
with delivered as (
    select * from {{ ref('dim_activities') }}
    where is_delivered
),

by_period as (
    select
        p.period,
        p.period_type,
        count(*) filter (where a.is_training) as training,
        count(*) filter (where a.is_training and a.has_ilo_partnership) as training_ilo_partnership,
        count(*) filter (where a.is_training and a.has_other_partnership) as training_other_partnership,
        count(*) filter (where a.is_training and a.programme_code is not null) as training_in_programme,
        count(*) filter (where not a.is_training) as non_training,
        count(*) as activities,
        count(*) filter (where a.is_open_course) as open_courses,
        count(*) filter (where a.is_open_course and a.ils_marker >= 2) as open_courses_ils,
        count(*) filter (where a.is_open_course and a.sdt_marker >= 2) as open_courses_sdt,
        count(*) filter (where a.is_open_course and a.gender_marker >= 2) as open_courses_gender
    from delivered as a
    inner join {{ ref('int_year_periods') }} as p on p.year = a.start_year
    group by p.period, p.period_type
),

measures as (
    select '1.4' as indicator_code, 'ilo_partnership_share' as measure, period, period_type,
           training_ilo_partnership as numerator, training as denominator from by_period
    union all
    select '1.6', 'other_partnership_share', period, period_type, training_other_partnership, training from by_period
    union all
    select '1.7', 'non_training_share', period, period_type, non_training, activities from by_period
    union all
    select '2.9', 'diploma_programme_share', period, period_type, training_in_programme, training from by_period
    union all
    select 'A.1', 'open_courses_ils_share', period, period_type, open_courses_ils, open_courses from by_period
    union all
    select 'A.1', 'open_courses_sdt_share', period, period_type, open_courses_sdt, open_courses from by_period
    union all
    select 'B.1', 'open_courses_gender_share', period, period_type, open_courses_gender, open_courses from by_period
)

select
    indicator_code,
    measure,
    period,
    period_type,
    numerator,
    denominator,
    100.0 * numerator / nullif(denominator, 0) as value,
    'percent' as unit
from measures
where denominator > 0
