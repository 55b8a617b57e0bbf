with source as (
    select * from {{ source('solicomm', 'courses') }}
),

renamed as (
    select
        course_id,
        code as course_code,
        title,
        language,
        coalesce(self_paced, false) as is_self_paced,
        coalesce(archived, false) as is_archived,
        case when coalesce(self_paced, false) then 'self_guided' else 'tutor_supported' end as modality,
        _vanished_at as vanished_at
    from source
)

select * from renamed
