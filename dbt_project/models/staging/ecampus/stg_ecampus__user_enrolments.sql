-- One row per user_enrolments row (a user enrolled twice in a course by two methods has two rows), with
-- its course and its start in Centre-local time: timestart, or timecreated when timestart is 0.
with user_enrolments as (
    select * from {{ source('ecampus', 'user_enrolments') }}
),

methods as (
    select id as enrol_id, courseid::bigint as course_id, lower(trim(enrol)) as method
    from {{ source('ecampus', 'enrol') }}
),

renamed as (
    select
        ue.id::bigint as user_enrolment_id,
        ue.userid::bigint as user_id,
        m.course_id,
        m.method as enrolment_method,
        coalesce(ue.status::integer, 0) = 1 as is_suspended,
        {{ moodle_local_time('case when ue.timestart > 0 then ue.timestart else ue.timecreated end') }}
            as started_at,
        ue._vanished_at as vanished_at
    from user_enrolments as ue
    inner join methods as m on m.enrol_id = ue.enrolid
)

select * from renamed
