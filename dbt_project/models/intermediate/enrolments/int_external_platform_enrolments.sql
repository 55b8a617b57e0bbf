-- One row per external-platform enrolment: a (platform, user, course) student enrolment on a registered
-- platform, every course but the site course, the guest account, deleted and nologin users excluded,
-- dated by the earliest start of the pair and counted from the platform's `since` date on.
with users as (
    select * from {{ ref('stg_platforms__users') }}
),

students as (
    select distinct platform_code, user_id, course_id
    from {{ ref('stg_platforms__course_roles') }}
    where role = 'student'
),

pairs as (
    select
        ue.platform_code,
        ue.user_id,
        ue.course_id,
        min(ue.started_at) as started_at,
        bool_and(ue.vanished_at is not null) as has_vanished_from_source
    from {{ ref('stg_platforms__user_enrolments') }} as ue
    inner join students as s
        on s.platform_code = ue.platform_code and s.user_id = ue.user_id and s.course_id = ue.course_id
    inner join users as u on u.platform_code = ue.platform_code and u.user_id = ue.user_id
    where ue.course_id <> 1
      and not u.is_guest_account
      and not u.is_nologin
      and (not u.is_deleted or ue.vanished_at is not null)
    group by ue.platform_code, ue.user_id, ue.course_id
)

select
    'platform:' || p.platform_code || ':' || p.user_id || ':' || p.course_id as enrolment_key,
    p.platform_code,
    p.user_id,
    p.course_id,
    r.constituent_group as platform_constituent_group,
    year(p.started_at) as year,
    p.started_at::date as enrolled_on,
    p.started_at::date >= r.reported_since as is_counted,
    p.has_vanished_from_source
from pairs as p
inner join {{ ref('stg_platforms__registry') }} as r on r.platform_code = p.platform_code
