-- One row per distance enrolment, as the methodology counts them:
-- - eCampus: a (user, course) pair in a distance course where the user holds the student role and has at
--   least one user_enrolments row (two enrolment methods are one enrolment); the guest account, deleted
--   and nologin users excluded; dated by the earliest start of the pair (Centre-local year).
--   Enrolments Moodle removed when it deleted a user stay counted (history): the deleted-user exclusion
--   applies to enrolments still present in Moodle.
-- - SoliComm: every enrolment row, whatever its status, dated by enrolled_on.
with users as (
    select * from {{ ref('stg_ecampus__users') }}
),

students as (
    select distinct user_id, course_id from {{ ref('stg_ecampus__course_roles') }} where role = 'student'
),

ecampus_pairs as (
    select
        ue.user_id,
        ue.course_id,
        min(ue.started_at) as started_at,
        bool_and(ue.vanished_at is not null) as has_vanished_from_source
    from {{ ref('stg_ecampus__user_enrolments') }} as ue
    inner join students as s on s.user_id = ue.user_id and s.course_id = ue.course_id
    inner join users as u on u.user_id = ue.user_id
    where not u.is_guest_account
      and not u.is_nologin
      and (not u.is_deleted or ue.vanished_at is not null)
    group by ue.user_id, ue.course_id
),

ecampus as (
    select
        'ecampus:enrolment:' || p.user_id || ':' || p.course_id as enrolment_key,
        'ecampus' as source_system,
        p.user_id || ':' || p.course_id as source_record_id,
        'ecampus:' || p.user_id as identity_record_key,
        p.course_id::varchar as course_id,
        dc.activity_id,
        dc.modality,
        dc.is_gender_specific,
        year(p.started_at) as year,
        p.started_at::date as enrolled_on,
        p.has_vanished_from_source
    from ecampus_pairs as p
    inner join {{ ref('int_distance_courses') }} as dc on dc.course_id = p.course_id
),

solicomm as (
    select
        'solicomm:enrolment:' || e.enrolment_id as enrolment_key,
        'solicomm' as source_system,
        e.enrolment_id::varchar as source_record_id,
        'solicomm:' || e.member_id as identity_record_key,
        e.course_id::varchar as course_id,
        null::bigint as activity_id,
        coalesce(c.modality, 'tutor_supported') as modality,
        false as is_gender_specific,
        e.enrolment_year as year,
        e.enrolled_on,
        e.vanished_at is not null as has_vanished_from_source
    from {{ ref('stg_solicomm__enrolments') }} as e
    left join {{ ref('stg_solicomm__courses') }} as c on c.course_id = e.course_id
)

select * from ecampus
union all
select * from solicomm
