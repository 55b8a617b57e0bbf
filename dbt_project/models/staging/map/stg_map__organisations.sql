-- One row per MAP organisation record. The same organisation is sometimes entered twice: name_folded
-- (case, accents, punctuation and spaces folded) with the country identifies it (methodology 1.8).
with source as (
    select * from {{ source('map', 'organisation') }}
),

renamed as (
    select
        organisation_id::bigint as organisation_id,
        name,
        trim(regexp_replace(strip_accents(lower(coalesce(name, ''))), '[^a-z0-9]+', ' ', 'g')) as name_folded,
        nullif(upper(trim(country)), '') as country_alpha3,
        organisation_type,
        _vanished_at as vanished_at
    from source
)

select * from renamed
