-- Unit submissions of the current file refused by the checks (contracts/submissions.md), counted by reason.
select
    source_file,
    reason,
    count(*)::bigint as rows_refused
from {{ ref('int_submissions__refused') }}
group by all
