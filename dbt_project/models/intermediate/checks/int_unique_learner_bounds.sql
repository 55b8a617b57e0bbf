-- For each biennium: its unique distance learners and those of its two years. A biennium's unique
-- learners are at most the sum and at least the larger of its two years (checked by Great Expectations).
with by_period as (
    select period, period_type, count(*) as learners
    from {{ ref('fct_unique_distance_learners') }}
    group by period, period_type
),

years as (
    select y.period as biennium, sum(b.learners) as sum_of_years, max(b.learners) as largest_year
    from by_period as b
    inner join {{ ref('int_year_periods') }} as y on y.period_type = 'biennium' and y.year::varchar = b.period
    where b.period_type = 'year'
    group by y.period
)

select
    b.period as biennium,
    b.learners as biennium_learners,
    coalesce(y.sum_of_years, 0) as sum_of_years,
    coalesce(y.largest_year, 0) as largest_year
from by_period as b
left join years as y on y.biennium = b.period
where b.period_type = 'biennium'
