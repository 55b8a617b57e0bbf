-- Records of different persons that share an e-mail key. Each such pair must be a guarded shared
-- mailbox (both birth years known and different, or both names known and sharing no token): any other
-- pair should have been linked by rule L2 (checked by Great Expectations).
with records as (
    select r.*, p.person_key
    from {{ ref('int_identity_records') }} as r
    inner join {{ ref('int_persons_resolved') }} as p on p.record_key = r.record_key
    where r.email_key is not null
)

select
    a.email_key,
    a.record_key as record_key_a,
    b.record_key as record_key_b,
    a.person_key as person_key_a,
    b.person_key as person_key_b,
    coalesce(a.birth_year_key <> b.birth_year_key, false)
        or coalesce(not list_has_any(a.name_token_keys, b.name_token_keys), false) as is_guarded_shared_mailbox
from records as a
inner join records as b
    on a.email_key = b.email_key and a.record_key < b.record_key and a.person_key <> b.person_key
