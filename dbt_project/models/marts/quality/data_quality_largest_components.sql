-- The 20 largest persons (most records), pseudonymous, with their records by source and the links by
-- rule that hold them together: where over-merging would show first.
{% set largest = 20 %}
with largest as (
    select
        person_key, records, map_records, ecampus_records, solicomm_records,
        row_number() over (order by records desc, person_key)::bigint as size_rank
    from {{ ref('dim_persons') }}
    order by records desc, person_key
    limit {{ largest }}
),

links as (
    select p.person_key, l.rule, count(*) as links
    from {{ ref('int_identity_links') }} as l
    inner join {{ ref('int_persons_resolved') }} as p on p.record_key = l.record_key_a
    where p.person_key in (select person_key from largest)
    group by all
)

select
    g.person_key,
    g.records,
    g.map_records,
    g.ecampus_records,
    g.solicomm_records,
    coalesce(sum(l.links), 0)::bigint as links,
    coalesce(string_agg(l.rule || ' ' || l.links, ', ' order by l.rule), '') as links_by_rule,
    g.size_rank
from largest as g
left join links as l on l.person_key = g.person_key
group by g.person_key, g.records, g.map_records, g.ecampus_records, g.solicomm_records, g.size_rank
