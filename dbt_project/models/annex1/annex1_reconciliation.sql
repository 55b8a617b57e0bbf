-- For every figure the Centre published in Annex 1 (results and baselines): the published value, the
-- warehouse's own value, the difference, whether they agree at the published precision (a published
-- `35` agrees with 34.5 <= x < 35.5; `34.54` with 34.535 <= x < 34.545), and, for the methodology's
-- known inconsistent cases, why they cannot.
with published as (
    select
        indicator_code,
        measure,
        kind,
        period,
        nullif(trim(value), '') as published_text_value,
        try_cast(value as double) as published_value,
        case when nullif(trim(value), '') is null then note end as published_text,
        coalesce(length(split_part(trim(value), '.', 2)), 0) as published_decimals,
        unit
    from {{ ref('annex1_published') }}
    where kind in ('result', 'baseline')
),

computed as (
    select indicator_code, measure, period, value, value_text, origin
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
    c.value - p.published_value as difference,
    case
        when p.published_value is not null then
            c.value is not null
            and c.value >= p.published_value - 0.5 * pow(10, -p.published_decimals)
            and c.value < p.published_value + 0.5 * pow(10, -p.published_decimals)
        else lower(trim(c.value_text)) = lower(trim(p.published_text))
    end as agrees,
    e.explanation
from published as p
left join computed as c on c.indicator_code = p.indicator_code and c.measure = p.measure and c.period = p.period
left join {{ ref('reconciliation_explanations') }} as e
    on e.indicator_code = p.indicator_code and e.measure = p.measure and e.period = p.period
