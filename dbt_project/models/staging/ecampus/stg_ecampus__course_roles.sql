-- One row per role held by a user in a course context (contextlevel 50): students, teachers, managers…
-- Assignments that vanished from Moodle (a deleted user's) are kept: their enrolments stay counted.
with assignments as (
    select * from {{ source('ecampus', 'role_assignments') }}
),

contexts as (
    select id as context_id, instanceid::bigint as course_id
    from {{ source('ecampus', 'context') }}
    where contextlevel = 50
),

roles as (
    select id as role_id, lower(trim(shortname)) as role
    from {{ source('ecampus', 'role') }}
)

select distinct
    ra.userid::bigint as user_id,
    c.course_id,
    r.role
from assignments as ra
inner join contexts as c on c.context_id = ra.contextid
inner join roles as r on r.role_id = ra.roleid
