with source as (
    select * from {{ source('ecampus', 'user') }}
),

renamed as (
    select
        id::bigint as user_id,
        lower(trim(auth)) as auth,
        coalesce(deleted::integer, 0) = 1 as is_deleted,
        coalesce(suspended::integer, 0) = 1 as is_suspended,
        coalesce(is_guest_account, false) as is_guest_account,
        lower(trim(auth)) = 'nologin' as is_nologin,
        username_key,
        email_key,
        email_domain,
        name_key,
        name_token_keys,
        len(name_token_keys) as name_token_count,
        -- the review queue's similarity features (keyed hashes)
        email_local_key,
        phonetic_token_keys,
        nullif(upper(trim(country)), '') as country_alpha2,
        {{ moodle_local_time('timecreated') }} as created_at,
        {{ moodle_local_time('timemodified') }} as modified_at,
        _vanished_at as vanished_at
    from source
)

select * from renamed
