-- Every reporting period a calendar year belongs to: the year itself and its biennium (2022 -> 2022-23).
-- Joining a fact on `year` and grouping by `period` gives the methodology's biennium rules for free:
-- counts add up, distinct counts are taken once over both years, shares and means pool their terms.
with years as (
    select unnest(generate_series(1990, 2100)) as year
),

periods as (
    select year, year::varchar as period, 'year' as period_type, year as first_year, year as last_year
    from years
    union all
    select
        year,
        (year - year % 2)::varchar || '-' || right((year - year % 2 + 1)::varchar, 2) as period,
        'biennium' as period_type,
        year - year % 2 as first_year,
        year - year % 2 + 1 as last_year
    from years
)

select * from periods
