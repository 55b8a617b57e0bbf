-- The Annex 1 indicators: one row per indicator, measure and period present in the data, computed from
-- records or submitted by units, with the catalogue's baseline and target and the status against the
-- target. Values are unrounded (percentages as 0-100); reports round them to the published precision.
-- Each domain computes its measures in an ind_* model with the same columns.
{% set indicator_models = [
    'ind_learners',
    'ind_activities',
    'ind_services',
    'ind_learning_outcomes',
    'ind_evaluation',
    'ind_finance',
    'ind_agreements',
    'ind_submitted',
] %}

with values_by_period as (
    {% for model in indicator_models %}
    select *, '{{ "submitted" if model.endswith("submitted") else "computed" }}' as origin
    from {{ ref(model) }}
    {% if not loop.last %}union all by name{% endif %}
    {% endfor %}
),

catalogue as (
    select * from {{ ref('indicator_catalogue') }}
),

signed_off_periods as (
    select distinct period from {{ source('signoff', 'closes') }}
),

provenance as (
    select to_json(map(list(source_system), list(data_watermark))) as source_watermarks
    from {{ ref('source_watermarks') }}
)

select
    v.indicator_code,
    v.measure,
    v.period,
    v.period_type,
    v.value,
    v.value_text,
    coalesce(v.unit, c.unit) as unit,
    v.numerator,
    v.denominator,
    v.steward_links,
    c.baseline_value,
    c.baseline_text,
    c.baseline_period,
    c.target_value,
    c.target_text,
    c.target_period,
    -- The value as the report prints it (decimal half up, ties towards +infinity, exact: 2.05 at 1 decimal is
    -- 2.1 and -2.05 is -2.0, where the double's round gives 2.0 and -2.1) against the target; DuckDB compares
    -- the two in double, where each is the nearest double of its decimal figure, so they compare as the two
    -- figures do.
    {%- set printed = round_half_up('v.value', 'c.published_decimals') %}
    case
        when c.target_value is null or v.value is null or v.period <> c.target_period then 'no_target'
        when c.direction = 'lower' and {{ printed }} <= c.target_value then 'achieved'
        when c.direction <> 'lower' and {{ printed }} >= c.target_value then 'achieved'
        else 'not_achieved'
    end as status,
    v.origin,
    '{{ env_var("WAREHOUSE_RUN_ID", invocation_id) }}' as run_id,
    '{{ run_started_at }}'::timestamp as built_at,
    p.source_watermarks,
    v.period in (select period from signed_off_periods) as is_signed_off
from values_by_period as v
left join catalogue as c on c.indicator_code = v.indicator_code and c.measure = v.measure
cross join provenance as p
where v.origin = 'submitted' or left(v.period, 4)::integer >= {{ var('first_reporting_year') }}
