-- Participation of the ILO's tripartite constituents (employers, workers, ministries of labour) by
-- channel, period, region, technical programme and fellowship. External-platform enrolments count for
-- the constituent group of the platform's intermediary (their learners are not resolved).
with counted as (
    select
        e.*,
        coalesce(p.constituent_group, r.constituent_group) as constituent_group,
        p.ilo_region,
        a.technical_programme
    from {{ ref('fct_enrolments') }} as e
    left join {{ ref('dim_persons') }} as p on p.person_key = e.person_key
    left join {{ ref('stg_platforms__registry') }} as r on r.platform_code = e.platform_code
    left join {{ ref('dim_activities') }} as a on a.activity_id = e.activity_id
    where e.is_counted
)

select
    y.period || ':' || c.channel || ':' || c.constituent_group || ':' || coalesce(c.ilo_region, '?') || ':'
        || coalesce(c.technical_programme, '?') || ':' || c.is_fellowship as participation_key,
    y.period,
    y.period_type,
    c.channel,
    c.constituent_group,
    c.ilo_region,
    c.technical_programme,
    c.is_fellowship,
    count(*) as enrolments,
    count(distinct c.person_key) as persons
from counted as c
inner join {{ ref('int_year_periods') }} as y on y.year = c.year
where c.constituent_group in ('employers', 'workers', 'government_labour')
  and left(y.period, 4)::integer >= {{ var('first_reporting_year') }}
group by all
