with source as (
    select * from {{ source('map', 'registration') }}
),

renamed as (
    select
        registration_id::bigint as registration_id,
        activity_id::bigint as activity_id,
        participant_id::bigint as participant_id,
        lower(trim(status)) as status,
        coalesce(fellowship::boolean, false) as is_fellowship,
        registered_at::timestamp as registered_at,
        updated_at::timestamp as updated_at,
        _vanished_at as vanished_at
    from source
)

select * from renamed
