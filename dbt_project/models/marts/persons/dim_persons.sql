-- One row per person (pseudonymous), with the attributes indicators disaggregate by.
-- Attributes come from the first source that has them (methodology): the most recently updated MAP
-- participant record, then eCampus profiles (most recently modified first), then SoliComm members.
with records as (
    select
        r.*,
        p.person_key,
        row_number() over (
            partition by p.person_key, r.source_system
            order by r.record_updated_at desc nulls last, r.record_key
        ) as recency
    from {{ ref('int_identity_records') }} as r
    inner join {{ ref('int_persons_resolved') }} as p on p.record_key = r.record_key
),

candidates as (
    -- Of MAP, only the most recently updated record speaks for the person.
    select *, source_priority * 1000000 + recency as attribute_rank
    from records
    where not (source_system = 'map' and recency > 1)
),

attributes as (
    select
        person_key,
        arg_min(gender, attribute_rank) filter (where gender is not null) as gender,
        arg_min(constituent_group, attribute_rank) filter (where constituent_group is not null) as constituent_group,
        arg_min(country_alpha2, attribute_rank) filter (where country_alpha2 is not null) as country_alpha2
    from candidates
    group by person_key
),

evidence as (
    select
        person_key,
        count(*) as records,
        count(*) filter (where source_system = 'map') as map_records,
        count(*) filter (where source_system = 'ecampus') as ecampus_records,
        count(*) filter (where source_system = 'solicomm') as solicomm_records,
        bool_or(email_domain = 'ilo.org') as has_ilo_address
    from records
    group by person_key
)

select
    e.person_key,
    a.gender,
    a.constituent_group,
    coalesce(a.constituent_group in ('employers', 'workers', 'government_labour'), false) as is_core_constituent,
    coalesce(a.constituent_group = 'ilo_staff', false) or coalesce(e.has_ilo_address, false) as is_ilo_official,
    a.country_alpha2,
    c.alpha3 as country_alpha3,
    c.ilo_region,
    e.records,
    e.map_records,
    e.ecampus_records,
    e.solicomm_records
from evidence as e
inner join attributes as a on a.person_key = e.person_key
left join {{ ref('countries') }} as c on c.alpha2 = a.country_alpha2
