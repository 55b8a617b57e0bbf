-- Identity resolution by rule: the links each rule made, the records they touch and the persons they
-- are in.
with links as (
    select l.rule, l.record_key_a, l.record_key_b, p.person_key
    from {{ ref('int_identity_links') }} as l
    inner join {{ ref('int_persons_resolved') }} as p on p.record_key = l.record_key_a
),

records as (
    select rule, record_key_a as record_key from links
    union
    select rule, record_key_b from links
)

select
    rule,
    count(*)::bigint as links,
    (select count(*) from records as r where r.rule = links.rule)::bigint as records_linked,
    count(distinct person_key)::bigint as persons
from links
group by rule
