-- One row per user_enrolments row of an external platform, with its course and its start in
-- Centre-local time (timestart, or timecreated when timestart is 0).
with user_enrolments as (
    select * from {{ source('platforms', 'user_enrolments') }}
),

methods as (
    select platform_code, id as enrol_id, courseid::bigint as course_id
    from {{ source('platforms', 'enrol') }}
)

select
    ue.platform_code,
    ue.id::bigint as user_enrolment_id,
    ue.userid::bigint as user_id,
    m.course_id,
    {{ moodle_local_time('case when ue.timestart > 0 then ue.timestart else ue.timecreated end') }} as started_at,
    ue._vanished_at as vanished_at
from user_enrolments as ue
inner join methods as m on m.platform_code = ue.platform_code and m.enrol_id = ue.enrolid
