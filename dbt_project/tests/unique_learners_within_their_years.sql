-- A biennium's unique distance learners lie between the larger of its two years' and their sum: a person
-- is counted once per biennium, never twice, and never lost. Returns the bienniums outside the bounds.
with by_period as (
    select period, period_type, count(*) as learners
    from {{ ref('fct_unique_distance_learners') }}
    group by period, period_type
),

bienniums as (
    select
        b.period as biennium,
        b.learners as biennium_learners,
        coalesce(sum(y.learners), 0) as sum_of_years,
        coalesce(max(y.learners), 0) as largest_year
    from by_period as b
    left join by_period as y
        on y.period_type = 'year' and y.period in (left(b.period, 4), (left(b.period, 4)::integer + 1)::varchar)
    where b.period_type = 'biennium'
    group by b.period, b.learners
)

select *
from bienniums
where biennium_learners > sum_of_years or biennium_learners < largest_year
