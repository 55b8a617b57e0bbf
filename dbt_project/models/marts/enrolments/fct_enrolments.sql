-- One row per registration or enrolment, whatever the channel. This slice holds the face-to-face channel:
-- MAP registrations to standard and tailored courses delivered on campus, in the field or blended.
-- `is_counted` applies the methodology (attended, delivered); the rest stays for drill-through.
with registrations as (
    select * from {{ ref('stg_map__registrations') }}
),

activities as (
    select * from {{ ref('stg_map__activities') }}
),

participants as (
    select * from {{ ref('stg_map__participants') }}
),

face_to_face as (
    select
        'map:registration:' || r.registration_id as enrolment_key,
        'face_to_face' as channel,
        'map' as source_system,
        a.delivery_mode as modality,
        a.start_year as year,
        r.registration_id as source_record_id,
        r.activity_id,
        r.participant_id,
        p.gender,
        p.constituent_group,
        r.status as registration_status,
        a.status as activity_status,
        r.is_fellowship,
        r.status = 'attended' and a.is_delivered as is_counted,
        r.vanished_at is not null as has_vanished_from_source
    from registrations as r
    inner join activities as a on a.activity_id = r.activity_id
    left join participants as p on p.participant_id = r.participant_id
    where a.service_type in ('standard_course', 'tailored_course')
      and a.delivery_mode in ('campus', 'field', 'blended')
)

select * from face_to_face
