-- Indicators about learners, per year and biennium, from the enrolments star (fct_enrolments, dim_persons):
-- 1.A and 1.B outreach growth,
-- 1.1a face-to-face, 1.1b distance, 1.1c combined, 1.2 external platforms, 1.3 masters students,
-- 1.5 ILO officials, B.2 women among ILO officials trained, B.3 men in gender training.
-- Joining each counted row to every period containing its year (int_year_periods) makes biennium
-- counts add up, distinct persons count once per biennium and shares pool their terms.
-- steward_links: for the measures that count distinct persons (1.1b unique_distance_learners, 1.3, 1.5
-- ilo_officials_unique_distance, B.2's ILO officials), the L4 (steward `same`) links inside the persons
-- counted: how much of the figure rests on stewards' decisions rather than the rules. Null elsewhere.
with person_steward_links as (
    select p.person_key, list(l.record_key_a || '|' || l.record_key_b) as steward_links
    from {{ ref('int_identity_links') }} as l
    inner join {{ ref('int_persons_resolved') }} as p on p.record_key = l.record_key_a
    where l.rule = 'L4'
    group by p.person_key
),

counted as (
    select
        e.*,
        p.gender,
        p.constituent_group,
        coalesce(p.is_core_constituent, false) as is_core_constituent,
        coalesce(p.is_ilo_official, false) as is_ilo_official,
        pl.constituent_group as platform_constituent_group,
        s.steward_links,
        y.period,
        y.period_type
    from {{ ref('fct_enrolments') }} as e
    inner join {{ ref('int_year_periods') }} as y on y.year = e.year
    left join {{ ref('dim_persons') }} as p on p.person_key = e.person_key
    left join {{ ref('stg_platforms__registry') }} as pl on pl.platform_code = e.platform_code
    left join person_steward_links as s on s.person_key = e.person_key
    where e.is_counted
),

by_period as (
    select
        period,
        period_type,
        count(*) filter (where channel = 'face_to_face') as f2f,
        count(*) filter (where channel = 'face_to_face' and gender = 'F') as f2f_women,
        count(*) filter (where channel = 'face_to_face' and constituent_group = 'employers') as f2f_employers,
        count(*) filter (where channel = 'face_to_face' and constituent_group = 'workers') as f2f_workers,
        count(*) filter (where channel = 'face_to_face' and constituent_group = 'government_labour') as f2f_labour,
        count(*) filter (where channel = 'face_to_face' and is_core_constituent) as f2f_core,
        count(*) filter (where channel = 'face_to_face' and modality = 'blended') as f2f_blended,
        count(*) filter (where channel = 'face_to_face' and is_ilo_official) as f2f_ilo,
        count(*) filter (where channel = 'distance') as dist,
        count(distinct person_key) filter (where channel = 'distance') as dist_learners,
        count(*) filter (where channel = 'distance' and gender = 'F') as dist_women,
        count(*) filter (where channel = 'distance' and constituent_group = 'employers') as dist_employers,
        count(*) filter (where channel = 'distance' and constituent_group = 'workers') as dist_workers,
        count(*) filter (where channel = 'distance' and constituent_group = 'government_labour') as dist_labour,
        count(*) filter (where channel = 'distance' and is_core_constituent) as dist_core,
        count(distinct person_key) filter (where channel = 'distance' and is_ilo_official) as dist_ilo_learners,
        count(*) filter (where channel = 'external_platform') as ext,
        count(*) filter (where channel = 'external_platform' and platform_constituent_group = 'employers') as ext_employers,
        count(distinct person_key) filter (where channel = 'masters') as masters_students,
        count(distinct person_key) filter (where channel in ('face_to_face', 'distance') and is_ilo_official) as ilo_trained,
        count(distinct person_key) filter (
            where channel in ('face_to_face', 'distance') and is_ilo_official and gender = 'F') as ilo_trained_women,
        count(*) filter (where channel in ('face_to_face', 'distance') and is_ilo_official and is_gender_specific)
            as ilo_gender_training,
        count(*) filter (
            where channel in ('face_to_face', 'distance') and is_ilo_official and is_gender_specific and gender = 'M')
            as ilo_gender_training_men,
        {%- set links_of = "coalesce(len(list_distinct(flatten(list(steward_links) filter (where steward_links is not null and (%s))))), 0)" %}
        {{ links_of % "channel = 'distance'" }} as dist_learners_steward_links,
        {{ links_of % "channel = 'distance' and is_ilo_official" }} as dist_ilo_learners_steward_links,
        {{ links_of % "channel = 'masters'" }} as masters_students_steward_links,
        {{ links_of % "channel in ('face_to_face', 'distance') and is_ilo_official" }} as ilo_trained_steward_links
    from counted
    group by period, period_type
),

steward_links as (
    select b.period, m.indicator_code, m.measure, m.steward_links
    from by_period as b
    cross join lateral (
        values ('1.1b', 'unique_distance_learners', b.dist_learners_steward_links),
               ('1.3', 'masters_students', b.masters_students_steward_links),
               ('1.5', 'ilo_officials_unique_distance', b.dist_ilo_learners_steward_links),
               ('B.2', 'women_among_ilo_officials_share', b.ilo_trained_steward_links)
    ) as m(indicator_code, measure, steward_links)
),

measures as (
    select period, period_type, '1.1a' as indicator_code, 'face_to_face_registrations' as measure,
           f2f as numerator, null::bigint as denominator, 'count' as unit from by_period
    union all select period, period_type, '1.1a', 'women_share', f2f_women, f2f, 'percent' from by_period
    union all select period, period_type, '1.1a', 'employers', f2f_employers, null, 'count' from by_period
    union all select period, period_type, '1.1a', 'workers', f2f_workers, null, 'count' from by_period
    union all select period, period_type, '1.1a', 'labour_ministries', f2f_labour, null, 'count' from by_period
    union all select period, period_type, '1.1a', 'blended_share', f2f_blended, f2f, 'percent' from by_period
    union all select period, period_type, '1.1b', 'distance_enrolments', dist, null, 'count' from by_period
    union all select period, period_type, '1.1b', 'unique_distance_learners', dist_learners, null, 'count' from by_period
    union all select period, period_type, '1.1b', 'women_share', dist_women, dist, 'percent' from by_period
    union all select period, period_type, '1.1b', 'employers', dist_employers, null, 'count' from by_period
    union all select period, period_type, '1.1b', 'workers', dist_workers, null, 'count' from by_period
    union all select period, period_type, '1.1b', 'labour_ministries', dist_labour, null, 'count' from by_period
    union all select period, period_type, '1.1b', 'employer_external_platform_enrolments', ext_employers, null, 'count'
              from by_period
    union all select period, period_type, '1.1c', 'women_share', f2f_women + dist_women, f2f + dist, 'percent'
              from by_period
    union all select period, period_type, '1.1c', 'core_constituent_share', f2f_core + dist_core + ext_employers,
              f2f + dist + ext, 'percent' from by_period
    union all select period, period_type, '1.2', 'external_platform_enrolments', ext, null, 'count' from by_period
    union all select period, period_type, '1.3', 'masters_students', masters_students, null, 'count' from by_period
    union all select period, period_type, '1.5', 'ilo_officials_face_to_face', f2f_ilo, null, 'count' from by_period
    union all select period, period_type, '1.5', 'ilo_officials_unique_distance', dist_ilo_learners, null, 'count'
              from by_period
    union all select period, period_type, 'B.2', 'women_among_ilo_officials_share', ilo_trained_women, ilo_trained,
              'percent' from by_period
    union all select period, period_type, 'B.3', 'men_in_gender_training_share', ilo_gender_training_men,
              ilo_gender_training, 'percent' from by_period
),

growth as (
    -- 1.A and 1.B: a period over the previous one of its kind (a year over the year before, a biennium
    -- over the biennium before), minus one, wherever the previous period is a reporting one with data.
    select
        cur.period,
        cur.period_type,
        g.indicator_code,
        g.measure,
        g.current_value as numerator,
        g.previous_value as denominator
    from by_period as cur
    inner join by_period as prev
        on prev.period_type = cur.period_type
       and left(prev.period, 4)::integer
           = left(cur.period, 4)::integer - case cur.period_type when 'biennium' then 2 else 1 end
       and left(prev.period, 4)::integer >= {{ var('first_reporting_year') }}
    cross join lateral (
        values ('1.A', 'direct_enrolment_growth', cur.f2f + cur.dist, prev.f2f + prev.dist),
               ('1.B', 'indirect_enrolment_growth', cur.ext, prev.ext)
    ) as g(indicator_code, measure, current_value, previous_value)
)

select m.indicator_code, m.measure, m.period, m.period_type, m.numerator, m.denominator,
       case when m.unit = 'percent' then 100.0 * m.numerator / nullif(m.denominator, 0) else m.numerator::double end
           as value,
       m.unit,
       s.steward_links
from measures as m
left join steward_links as s on s.period = m.period and s.indicator_code = m.indicator_code and s.measure = m.measure
where m.unit <> 'percent' or m.denominator > 0
union all
select indicator_code, measure, period, period_type, numerator, denominator,
       100.0 * (numerator::double / nullif(denominator, 0) - 1) as value, 'percent' as unit, null::bigint
from growth
where denominator > 0
union all
select '1.B', 'indirect_enrolments', period, period_type, ext, null, ext::double, 'count', null::bigint
from by_period
