-- For every figure the Centre published in Annex 1 (results and baselines): the published value, the
-- warehouse's own value, the difference, whether they agree, and, for the methodology's known inconsistent
-- cases, why they cannot. A number agrees when the computed value rounded half up (ties towards +infinity),
-- in exact decimal arithmetic, at the published decimals is the published figure: `35` takes 34.5 <= x < 35.5,
-- `2.1` takes 2.05, `34.54` takes 34.535 but not 34.545, `-2.0` takes -2.05 and `-2.1` does not
-- (macros/published_precision.sql; the report rounds the same way). A text agrees when equal but for case and surrounding spaces.
with published as (
    select
        indicator_code,
        measure,
        kind,
        period,
        nullif(trim(value), '') as published_text_value,
        try_cast(value as double) as published_value,
        case when nullif(trim(value), '') is null then note end as published_text,
        {{ published_decimals('value') }} as published_decimals,
        unit
    from {{ ref('annex1_published') }}
    where kind in ('result', 'baseline')
),

computed as (
    select indicator_code, measure, period, value, value_text, origin, steward_links
    from {{ ref('annex1_indicators') }}
)

select
    p.indicator_code,
    p.measure,
    p.period,
    p.kind,
    p.unit,
    p.published_value,
    p.published_text,
    p.published_decimals,
    c.value as computed_value,
    c.value_text as computed_text,
    c.origin,
    c.steward_links,
    c.value - p.published_value as difference,
    case
        when p.published_value is not null then
            {{ rounds_half_up_to('c.value', 'p.published_text_value') }}
        else {{ texts_agree('c.value_text', 'p.published_text') }}
    end as agrees,
    e.explanation
from published as p
left join computed as c on c.indicator_code = p.indicator_code and c.measure = p.measure and c.period = p.period
left join {{ ref('reconciliation_explanations') }} as e
    on e.indicator_code = p.indicator_code and e.measure = p.measure and e.period = p.period
