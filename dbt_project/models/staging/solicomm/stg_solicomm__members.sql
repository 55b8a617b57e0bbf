with source as (
    select * from {{ source('solicomm', 'members') }}
),

renamed as (
    select
        member_id,
        email_key,
        email_domain,
        name_key,
        name_token_keys,
        len(name_token_keys) as name_token_count,
        birth_year_key,
        -- the review queue's similarity features (keyed hashes)
        email_local_key,
        phonetic_token_keys,
        birth_decade_key,
        case upper(trim(gender)) when 'F' then 'F' when 'M' then 'M' when 'O' then 'X' end as gender,
        nullif(upper(trim(country)), '') as country_alpha2,
        case lower(trim(organisation_type))
            when 'trade_union' then 'workers'
            when 'employers_org' then 'employers'
            when 'government' then 'government_other'
            when 'other' then 'other'
        end as constituent_group,
        organisation_name,
        created_on,
        updated_on,
        snapshot_date as last_seen_snapshot_date,
        _vanished_at as vanished_at
    from source
)

select * from renamed
