-- Every enrolment row counts, whatever its status (methodology); the year is the enrolment date's.
with source as (
    select * from {{ source('solicomm', 'enrolments') }}
),

renamed as (
    select
        enrolment_id,
        member_id,
        course_id,
        enrolled_on,
        year(enrolled_on) as enrolment_year,
        completed_on,
        lower(trim(status)) as status,
        _vanished_at as vanished_at
    from source
)

select * from renamed
