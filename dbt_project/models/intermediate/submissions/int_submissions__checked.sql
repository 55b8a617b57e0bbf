-- Every loaded submission row with the reason it is refused, null when accepted (contracts/submissions.md):
-- the first rule it breaks, in this order: the indicator code and measure must be in the catalogue and
-- submitted by units (not computed from records); the value, when given, a number; the date a date; a
-- value or a text given; and of the same submission twice in the file (same indicator, measure, period,
-- date and unit) the later line wins. Rows removed from the file (vanished) are checked too; they are
-- never current.
with submissions as (
    select * from {{ ref('stg_submissions__submissions') }}
),

catalogue as (
    select trim(indicator_code) as indicator_code, trim(measure) as measure, trim(origin) as origin
    from {{ ref('indicators') }}
),

codes as (
    -- an indicator with any measure computed from records is computed
    select indicator_code, bool_or(origin = 'computed') as is_computed
    from catalogue
    group by indicator_code
),

ruled as (
    select
        s.*,
        case
            when k.indicator_code is null then 'unknown indicator code'
            when c.measure is null and k.is_computed then 'indicator computed from records'
            when c.measure is null then 'unknown measure for indicator ' || s.indicator_code
            when c.origin = 'computed' then 'indicator computed from records'
            when s.value_as_written is not null and s.value is null
                then 'value ''' || s.value_as_written || ''' is not a number'
            when s.submitted_on is null then 'unparseable submitted_on ''' || s.submitted_on_as_written || ''''
            when s.value is null and s.value_text is null then 'neither value nor text'
        end as rule_broken
    from submissions as s
    left join codes as k on k.indicator_code = s.indicator_code
    left join catalogue as c on c.indicator_code = s.indicator_code and c.measure = s.measure
)

select
    * exclude (rule_broken),
    coalesce(
        rule_broken,
        case
            when row_number() over (
                partition by indicator_code, measure, period, submitted_on, submitted_by, rule_broken is null,
                    vanished_at is null
                order by line_number desc
            ) > 1 then 'duplicate of a later line (same indicator, measure, period, date and unit)'
        end
    ) as refusal_reason
from ruled
