-- Every record that can stand for a person, from the three systems that know persons: MAP participants,
-- eCampus users (not the guest account), SoliComm members. Pseudonymous match keys only.
-- The similarity features (email_local_key, phonetic_token_keys, birth_decade_key) feed only the review
-- queue (orchestration/stewardship), never the rules.
-- source_priority orders the sources for person attributes (methodology: MAP, then eCampus, then SoliComm).
with countries as (
    select alpha2, alpha3 from {{ ref('countries') }}
),

map_participants as (
    select
        'map:' || p.participant_id as record_key,
        'map' as source_system,
        p.participant_id::varchar as source_record_id,
        1 as source_priority,
        p.email_key,
        p.email_domain,
        p.name_key,
        p.name_token_keys,
        len(p.name_token_keys) as name_token_count,
        p.birth_year_key,
        c.alpha2 as country_alpha2,
        p.gender,
        p.constituent_group,
        p.ecampus_user_id::varchar as linked_ecampus_user_id,
        p.updated_at as record_updated_at,
        p.email_local_key,
        p.phonetic_token_keys,
        p.birth_decade_key
    from {{ ref('stg_map__participants') }} as p
    left join countries as c on c.alpha3 = p.nationality_alpha3
),

ecampus_users as (
    select
        'ecampus:' || u.user_id as record_key,
        'ecampus' as source_system,
        u.user_id::varchar as source_record_id,
        2 as source_priority,
        u.email_key,
        u.email_domain,
        u.name_key,
        u.name_token_keys,
        u.name_token_count,
        pr.birth_year_key,
        u.country_alpha2,
        pr.gender,
        pr.constituent_group,
        null::varchar as linked_ecampus_user_id,
        u.modified_at as record_updated_at,
        u.email_local_key,
        u.phonetic_token_keys,
        pr.birth_decade_key
    from {{ ref('stg_ecampus__users') }} as u
    left join {{ ref('stg_ecampus__user_profiles') }} as pr on pr.user_id = u.user_id
    where not u.is_guest_account
),

solicomm_members as (
    select
        'solicomm:' || member_id as record_key,
        'solicomm' as source_system,
        member_id::varchar as source_record_id,
        3 as source_priority,
        email_key,
        email_domain,
        name_key,
        name_token_keys,
        name_token_count,
        birth_year_key,
        country_alpha2,
        gender,
        constituent_group,
        null::varchar as linked_ecampus_user_id,
        updated_on::timestamp as record_updated_at,
        email_local_key,
        phonetic_token_keys,
        birth_decade_key
    from {{ ref('stg_solicomm__members') }}
)

select * from map_participants
union all
select * from ecampus_users
union all
select * from solicomm_members
