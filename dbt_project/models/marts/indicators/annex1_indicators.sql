-- The Annex 1 indicators, one row per indicator, measure and period present in the data.
-- Values are unrounded (percentages in percent); reports round them to the published precision.
with computed as (
    select * from {{ ref('int_indicators__face_to_face') }}
    union all by name
    select * from {{ ref('int_indicators__activities') }}
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
