-- The indicator catalogue: every Annex 1 indicator and measure with its names (English; French as the
-- report words them), unit, origin, direction, published precision, the report's dimension heading,
-- its order in the report, the baseline and target the Centre set (from Annex 1), and what the report
-- draws of it: the chart it is a series of (with its short series label) and its headline tile.
with indicators as (
    select * from {{ ref('indicators') }}
),

published as (
    select * from {{ ref('annex1_published') }}
),

baselines as (
    select indicator_code, measure, period as baseline_period,
           try_cast(value as double) as baseline_value, case when value is null or value = '' then note end as baseline_text
    from published where kind = 'baseline'
),

targets as (
    select indicator_code, measure, period as target_period,
           try_cast(value as double) as target_value, case when value is null or value = '' then note end as target_text
    from published where kind = 'target'
),

ordered as (
    select
        i.*,
        split_part(i.indicator_code, '.', 1) as head,
        split_part(i.indicator_code, '.', 2) as tail
    from indicators as i
)

select
    o.indicator_code,
    o.measure,
    case
        when regexp_full_match(o.head, '[0-9]+') then 'Immediate outcome ' || o.head
        when o.head = 'R' then 'Outcome'
        else 'Cross-cutting policy drivers'
    end as dimension_en,
    case
        when regexp_full_match(o.head, '[0-9]+') then 'Résultat immédiat ' || o.head
        when o.head = 'R' then 'Résultat'
        else 'Moteurs politiques transversaux'
    end as dimension_fr,
    o.name_en,
    o.name_fr,
    o.measure_name_en,
    o.measure_name_fr,
    o.unit,
    o.origin,
    o.direction,
    o.published_decimals,
    o.chart,
    o.chart_label_en,
    o.chart_label_fr,
    o.headline_order,
    b.baseline_period,
    b.baseline_value,
    b.baseline_text,
    t.target_period,
    t.target_value,
    t.target_text,
    row_number() over (
        order by
            case when regexp_full_match(o.head, '[0-9]+') then o.head::integer
                 when o.head = 'R' then 90 when o.head = 'A' then 91 when o.head = 'B' then 92 else 93 end,
            -- outcome indicators (1.A) before output indicators (1.1a), outputs in number order
            case when regexp_full_match(o.tail, '[A-Z]') then 0 else 1 end,
            try_cast(regexp_extract(o.tail, '^[0-9]+') as integer) nulls first,
            o.tail,
            o.measure
    ) as sort_order
from ordered as o
left join baselines as b on b.indicator_code = o.indicator_code and b.measure = o.measure
left join targets as t on t.indicator_code = o.indicator_code and t.measure = o.measure
