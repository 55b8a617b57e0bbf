-- Finance and HR indicators, per year and per biennium:
-- 3.A earned net contribution share: Σ(revenue − direct expenses) of all sources but voluntary
--     contributions ÷ Σ(revenue − direct expenses) of all sources; bienniums pool the two years.
-- 4.A support staff share: Σ fte of support units ÷ Σ fte, as at 31 December: a biennium takes its last
--     year's positions (a biennium whose last year has no extract yet has no value).
-- 4.2 indirect staff cost share: Σ staff_cost_keur of indirect cost ÷ Σ staff_cost_keur; bienniums pool.
-- The terms are sums of thousands of euros and of FTE, not counts: `numerator` and `denominator` (counts,
-- bigint in annex1_indicators) stay null; the terms are in the staging models.
with net_contributions as (
    select * from {{ ref('stg_finance__net_contributions') }}
),

staff as (
    select * from {{ ref('stg_finance__staff_positions') }}
),

periods as (
    select * from {{ ref('int_year_periods') }}
    where first_year >= {{ var('first_reporting_year') }}
),

net_contribution_by_period as (
    select
        p.period,
        p.period_type,
        sum(n.net_contribution_keur) filter (where n.is_earned) as earned_keur,
        sum(n.net_contribution_keur) as total_keur
    from net_contributions as n
    inner join periods as p on p.year = n.year
    group by p.period, p.period_type
),

-- as at 31 December: each period takes the positions of its last year only
staff_at_period_end as (
    select
        p.period,
        p.period_type,
        sum(s.fte) filter (where s.is_support_unit) as support_fte,
        sum(s.fte) as total_fte
    from staff as s
    inner join periods as p on p.year = s.year and p.year = p.last_year
    group by p.period, p.period_type
),

staff_cost_by_period as (
    select
        p.period,
        p.period_type,
        sum(s.staff_cost_keur) filter (where s.is_indirect_cost) as indirect_cost_keur,
        sum(s.staff_cost_keur) as total_cost_keur
    from staff as s
    inner join periods as p on p.year = s.year
    group by p.period, p.period_type
),

measures as (
    select '3.A' as indicator_code, 'earned_net_contribution_share' as measure, period, period_type,
           coalesce(earned_keur, 0) as numerator_amount, total_keur as denominator_amount
    from net_contribution_by_period
    union all
    select '4.A', 'support_staff_share', period, period_type, coalesce(support_fte, 0), total_fte
    from staff_at_period_end
    union all
    select '4.2', 'indirect_staff_cost_share', period, period_type, coalesce(indirect_cost_keur, 0), total_cost_keur
    from staff_cost_by_period
)

select
    indicator_code,
    measure,
    period,
    period_type,
    null::bigint as numerator,
    null::bigint as denominator,
    100.0 * numerator_amount / denominator_amount as value,
    'percent' as unit
from measures
where denominator_amount <> 0
