-- One row per eCampus user with their custom profile fields, mapped to the methodology's codes.
with fields as (
    select id as field_id, lower(trim(shortname)) as shortname from {{ source('ecampus', 'user_info_field') }}
),

data as (
    select userid::bigint as user_id, fieldid as field_id, trim(data) as data, birth_year_key, birth_decade_key
    from {{ source('ecampus', 'user_info_data') }}
    where _vanished_at is null
),

pivoted as (
    select
        d.user_id,
        max(d.data) filter (where f.shortname = 'gender') as gender_label,
        max(d.birth_year_key) filter (where f.shortname = 'birthyear') as birth_year_key,
        max(d.birth_decade_key) filter (where f.shortname = 'birthyear') as birth_decade_key,
        max(d.data) filter (where f.shortname = 'constituent') as constituent_label
    from data as d
    inner join fields as f on f.field_id = d.field_id
    group by d.user_id
)

select
    user_id,
    case gender_label when 'Female' then 'F' when 'Male' then 'M' when 'Other' then 'X' end as gender,
    birth_year_key,
    birth_decade_key,
    case constituent_label
        when 'Employers'' organisation' then 'employers'
        when 'Workers'' organisation' then 'workers'
        when 'Ministry of Labour' then 'government_labour'
        when 'Other government institution' then 'government_other'
        when 'ILO' then 'ilo_staff'
        when 'Other UN agency' then 'un_staff'
        when 'NGO' then 'ngo'
        when 'Private sector' then 'private_sector'
        when 'Academia' then 'academia'
        when 'Other' then 'other'
    end as constituent_group
from pivoted
