-- External evaluation survey indicators, per results year (= survey year) and per biennium:
-- 2.A, 2.B, 2.C: share answering 4 or 5 among those answering the item; 2.D: `yes` ÷ (`yes` + `no`).
-- Biennium shares pool the numerators and denominators of the two years.
with responses as (
    select * from {{ ref('stg_evaluation__responses') }}
),

by_period as (
    select
        p.period,
        p.period_type,
        count(*) filter (where r.relevant_score >= 4) as relevant_agree,
        count(r.relevant_score) as relevant_answered,
        count(*) filter (where r.theory_to_practice_score >= 4) as theory_agree,
        count(r.theory_to_practice_score) as theory_answered,
        count(*) filter (where r.can_apply_score >= 4) as can_apply_agree,
        count(r.can_apply_score) as can_apply_answered,
        count(*) filter (where r.gave_example = 'yes') as example_yes,
        count(*) filter (where r.gave_example in ('yes', 'no')) as example_answered
    from responses as r
    inner join {{ ref('int_year_periods') }} as p on p.year = r.results_year
    where p.first_year >= {{ var('first_reporting_year') }}
    group by p.period, p.period_type
),

measures as (
    select '2.A' as indicator_code, 'relevance_agree_share' as measure, period, period_type,
           relevant_agree as numerator, relevant_answered as denominator from by_period
    union all
    select '2.B', 'theory_to_practice_agree_share', period, period_type, theory_agree, theory_answered from by_period
    union all
    select '2.C', 'can_apply_agree_share', period, period_type, can_apply_agree, can_apply_answered from by_period
    union all
    select '2.D', 'concrete_example_share', period, period_type, example_yes, example_answered from by_period
)

select
    indicator_code,
    measure,
    period,
    period_type,
    numerator::bigint as numerator,
    denominator::bigint as denominator,
    100.0 * numerator / denominator as value,
    'percent' as unit
from measures
where denominator > 0
