-- One row per answer to the items the warehouse reads (`overall`, `ils`, `sdt`) of a submitted
-- end-of-activity questionnaire. Values are 1-based option numbers: `overall` option n is score n,
-- `ils`/`sdt` option n is score n-1. Empty values are no answer and are left out.
with completed as (
    select * from {{ source('ecampus', 'feedback_completed') }}
),

questionnaires as (
    select id as feedback_id, course as course_id from {{ source('ecampus', 'feedback') }}
),

items as (
    select id as item_id, feedback as feedback_id, lower(trim(label)) as label
    from {{ source('ecampus', 'feedback_item') }}
    where lower(trim(label)) in ('overall', 'ils', 'sdt')
),

answer_values as (
    select id as value_id, item as item_id, completed as completed_id, trim(value) as value
    from {{ source('ecampus', 'feedback_value') }}
    where nullif(trim(value), '') is not null
)

select
    v.value_id,
    c.id::bigint as completed_id,
    q.course_id::bigint as course_id,
    i.label as item,
    case when i.label = 'overall' then try_cast(v.value as integer) else try_cast(v.value as integer) - 1 end as score,
    {{ moodle_local_time('c.timemodified') }} as submitted_at
from completed as c
inner join questionnaires as q on q.feedback_id = c.feedback
inner join items as i on i.feedback_id = c.feedback
inner join answer_values as v on v.completed_id = c.id and v.item_id = i.item_id
