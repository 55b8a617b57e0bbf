-- One row per role held by a user in a course context (contextlevel 50) of an external platform.
with assignments as (
    select * from {{ source('platforms', 'role_assignments') }}
),

contexts as (
    select platform_code, id as context_id, instanceid::bigint as course_id
    from {{ source('platforms', 'context') }}
    where contextlevel = 50
),

roles as (
    select platform_code, id as role_id, lower(trim(shortname)) as role
    from {{ source('platforms', 'role') }}
)

select distinct
    ra.platform_code,
    ra.userid::bigint as user_id,
    c.course_id,
    r.role
from assignments as ra
inner join contexts as c on c.platform_code = ra.platform_code and c.context_id = ra.contextid
inner join roles as r on r.platform_code = ra.platform_code and r.role_id = ra.roleid
