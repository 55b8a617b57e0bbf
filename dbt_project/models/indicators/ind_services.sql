-- Non-training services (MAP): 1.8 distinct client organisations of delivered advisory services, and
-- 2.3-2.5 mean feedback score of delivered events, advisory services and campaigns, by the activity's
-- start year. Duplicate organisation records fold to one: same folded name and country.
with delivered_services as (
    select * from {{ ref('dim_activities') }}
    where is_delivered and service_type in ('advisory_service', 'event_facilitation', 'communication_campaign')
),

clients as (
    select y.period, y.period_type, o.name_folded, o.country_alpha3
    from {{ ref('stg_map__service_clients') }} as sc
    inner join delivered_services as a on a.activity_id = sc.activity_id and a.service_type = 'advisory_service'
    inner join {{ ref('stg_map__organisations') }} as o on o.organisation_id = sc.organisation_id
    inner join {{ ref('int_year_periods') }} as y on y.year = a.start_year
),

organisations as (
    select '1.8' as indicator_code, 'advisory_organisations' as measure, period, period_type,
           count(distinct (name_folded, coalesce(country_alpha3, ''))) as numerator, null::bigint as denominator,
           'count' as unit
    from clients
    group by period, period_type
),

feedback as (
    select
        case a.service_type
            when 'event_facilitation' then '2.3'
            when 'advisory_service' then '2.4'
            else '2.5'
        end as indicator_code,
        case a.service_type
            when 'event_facilitation' then 'event_satisfaction'
            when 'advisory_service' then 'advisory_satisfaction'
            else 'campaign_satisfaction'
        end as measure,
        y.period, y.period_type,
        sum(f.score) as numerator, count(*) as denominator, 'score_1_5' as unit
    from {{ ref('stg_map__service_feedback') }} as f
    inner join delivered_services as a on a.activity_id = f.activity_id
    inner join {{ ref('int_year_periods') }} as y on y.year = a.start_year
    where f.score is not null
    group by all
)

select indicator_code, measure, period, period_type, numerator, denominator, numerator::double as value, unit
from organisations
union all
select indicator_code, measure, period, period_type, numerator, denominator, numerator::double / denominator, unit
from feedback
