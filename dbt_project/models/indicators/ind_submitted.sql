-- Indicators submitted by the responsible units (contracts/submissions.md): the current submission of every
-- indicator, measure and period, i.e. the latest `submitted_on` (of equal dates, the later line of the file)
-- among the submissions still in the file. `value` is the number submitted, `value_text` the text.
-- Unit: the catalogue's unit when a number is submitted (`percent` for an indicator the catalogue words as
-- text but a unit reports as a number, e.g. 5.1 "100 %"), `text` when only a text is submitted.
with submissions as (
    select * from {{ ref('int_submissions__accepted') }}
    where vanished_at is null
),

current_submissions as (
    select *
    from submissions
    qualify row_number() over (
        partition by indicator_code, measure, period
        order by submitted_on desc, line_number desc
    ) = 1
),

catalogue as (
    select indicator_code, measure, unit from {{ ref('indicator_catalogue') }}
)

select
    s.indicator_code,
    s.measure,
    s.period,
    s.period_type,
    null::bigint as numerator,
    null::bigint as denominator,
    s.value::double as value,
    s.value_text,
    case
        when s.value is null then 'text'
        when c.unit is null or c.unit = 'text' then 'percent'
        else c.unit
    end as unit
from current_submissions as s
left join catalogue as c on c.indicator_code = s.indicator_code and c.measure = s.measure
