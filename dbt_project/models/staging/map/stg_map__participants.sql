with source as (
    select * from {{ source('map', 'participant') }}
),

renamed as (
    select
        participant_id::bigint as participant_id,
        email_key,
        email_domain,
        name_key,
        name_token_keys,
        birth_year_key,
        -- the review queue's similarity features (keyed hashes)
        email_local_key,
        phonetic_token_keys,
        birth_decade_key,
        nullif(upper(trim(gender)), '') as gender,
        nullif(upper(trim(nationality)), '') as nationality_alpha3,
        nullif(lower(trim(constituent_group)), '') as constituent_group,
        institution,
        ecampus_user_id::bigint as ecampus_user_id,
        updated_at::timestamp as updated_at,
        _vanished_at as vanished_at
    from source
)

select * from renamed
