with source as (
    select * from {{ source('map', 'activity') }}
),

renamed as (
    select
        activity_id::bigint as activity_id,
        trim(activity_code) as activity_code,
        title,
        lower(trim(service_type)) as service_type,
        nullif(lower(trim(delivery_mode)), '') as delivery_mode,
        is_open_course::boolean as is_open_course,
        technical_programme,
        nullif(trim(pb_outcome::varchar), '') as pb_outcome,
        nullif(trim(programme_code), '') as programme_code,
        start_date::date as start_date,
        end_date::date as end_date,
        year(start_date::date) as start_year,
        lower(trim(status)) as status,
        ilo_partnership::boolean as has_ilo_partnership,
        other_partnership::boolean as has_other_partnership,
        ils_marker::integer as ils_marker,
        sdt_marker::integer as sdt_marker,
        gender_marker::integer as gender_marker,
        ecampus_course_id::bigint as ecampus_course_id,
        lower(trim(service_type)) in ('standard_course', 'tailored_course', 'masters_edition') as is_training,
        lower(trim(status)) = 'delivered' as is_delivered,
        updated_at::timestamp as updated_at,
        _vanished_at as vanished_at
    from source
)

select * from renamed
