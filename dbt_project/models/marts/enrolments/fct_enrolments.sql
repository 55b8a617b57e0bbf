-- One row per registration or enrolment of a learner, whatever the channel:
-- - face_to_face: MAP registrations to standard and tailored courses delivered on campus, in the field or
--   blended (counted: attended, in a delivered activity; year of the activity's start);
-- - masters: MAP registrations to masters editions (counted likewise; 1.3 counts distinct persons);
-- - distance: eCampus (user, course) pairs in distance courses and SoliComm enrolments;
-- - external_platform: (platform, user, course) student enrolments on the external platforms (counted
--   from the platform's `since`; their learners are not resolved into persons).
-- Rows the methodology does not count stay, with is_counted false, for drill-through.
with registrations as (
    select * from {{ ref('stg_map__registrations') }}
),

activities as (
    select * from {{ ref('stg_map__activities') }}
),

persons as (
    select * from {{ ref('int_persons_resolved') }}
),

map_registrations as (
    select
        'map:registration:' || r.registration_id as enrolment_key,
        case when a.service_type = 'masters_edition' then 'masters' else 'face_to_face' end as channel,
        'map' as source_system,
        a.delivery_mode as modality,
        a.start_year as year,
        a.start_date as enrolled_on,
        r.registration_id::varchar as source_record_id,
        r.activity_id,
        a.ecampus_course_id::varchar as course_id,
        null::varchar as platform_code,
        'map:' || r.participant_id as identity_record_key,
        a.gender_marker = 3 as is_gender_specific,
        r.is_fellowship,
        r.status = 'attended' and a.is_delivered as is_counted,
        r.vanished_at is not null as has_vanished_from_source
    from registrations as r
    inner join activities as a on a.activity_id = r.activity_id
    where a.service_type = 'masters_edition'
       or (a.service_type in ('standard_course', 'tailored_course') and a.delivery_mode in ('campus', 'field', 'blended'))
),

distance as (
    select
        enrolment_key,
        'distance' as channel,
        source_system,
        modality,
        year,
        enrolled_on,
        source_record_id,
        activity_id,
        course_id,
        null::varchar as platform_code,
        identity_record_key,
        is_gender_specific,
        false as is_fellowship,
        true as is_counted,
        has_vanished_from_source
    from {{ ref('int_distance_enrolments') }}
),

external_platforms as (
    select
        enrolment_key,
        'external_platform' as channel,
        platform_code as source_system,
        null::varchar as modality,
        year,
        enrolled_on,
        user_id || ':' || course_id as source_record_id,
        null::bigint as activity_id,
        course_id::varchar as course_id,
        platform_code,
        null::varchar as identity_record_key,
        false as is_gender_specific,
        false as is_fellowship,
        is_counted,
        has_vanished_from_source
    from {{ ref('int_external_platform_enrolments') }}
),

all_channels as (
    select * from map_registrations
    union all
    select * from distance
    union all
    select * from external_platforms
)

select
    c.enrolment_key,
    c.channel,
    c.source_system,
    c.modality,
    c.year,
    c.enrolled_on,
    c.source_record_id,
    c.activity_id,
    c.course_id,
    c.platform_code,
    p.person_key,
    c.is_gender_specific,
    c.is_fellowship,
    c.is_counted,
    c.has_vanished_from_source
from all_channels as c
left join persons as p on p.record_key = c.identity_record_key
