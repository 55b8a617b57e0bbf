-- The accepted submissions, every version kept; `is_current` marks, per indicator, measure and period,
-- the latest submitted_on (of equal dates, the later line of the file) among the rows still in the file.
with accepted as (
    select * exclude (refusal_reason)
    from {{ ref('int_submissions__checked') }}
    where refusal_reason is null
)

select
    *,
    vanished_at is null and row_number() over (
        partition by indicator_code, measure, period, vanished_at is null
        order by submitted_on desc, line_number desc
    ) = 1 as is_current
from accepted
