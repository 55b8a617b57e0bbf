-- The Annex 1 indicators, one row per indicator, measure and period present in the data.
-- Values are unrounded (percentages in percent); reports round them to the published precision.
-- Each domain computes its measures in an int_indicators__* model with the same columns.
{% set indicator_models = [
    'int_indicators__learners',
    'int_indicators__activities',
    'int_indicators__services',
    'int_indicators__learning_outcomes',
    'int_indicators__evaluation',
    'int_indicators__finance',
    'int_indicators__agreements',
    'int_indicators__submitted',
] %}

with computed as (
    {% for model in indicator_models %}
    select * from {{ ref(model) }}
    {% if not loop.last %}union all by name{% endif %}
    {% endfor %}
)

select
    indicator_code,
    measure,
    period,
    period_type,
    value,
    unit,
    numerator,
    denominator,
    'computed' as origin
from computed
where left(period, 4)::integer >= {{ var('first_reporting_year') }}
