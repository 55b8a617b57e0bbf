-- The submissions of the current file that are refused, with the reason: the rows the loader could not
-- read (stg_submissions__rejects) and the rows that break a rule (int_submissions__checked).
select
    source_file, line_number, indicator_code, measure, period, value_as_written as value, value_text as text,
    submitted_by, submitted_on_as_written as submitted_on, refusal_reason as reason
from {{ ref('int_submissions__checked') }}
where refusal_reason is not null and vanished_at is null

union all

select
    source_file, line_number, null, null, null, null, null, null, null, reason
from {{ ref('stg_submissions__rejects') }}
