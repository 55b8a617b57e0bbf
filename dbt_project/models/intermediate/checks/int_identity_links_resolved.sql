-- Every identity link with the person of each end: both ends must be the same person (checked by Great
-- Expectations). A difference would mean the resolution dropped a link: figures would count one person twice.
select
    l.rule,
    l.record_key_a,
    l.record_key_b,
    a.person_key as person_key_a,
    b.person_key as person_key_b
from {{ ref('int_identity_links') }} as l
left join {{ ref('int_persons_resolved') }} as a on a.record_key = l.record_key_a
left join {{ ref('int_persons_resolved') }} as b on b.record_key = l.record_key_b
