-- The evidence of identity resolution: one row per pair of records linked by a rule of the methodology.
-- L1: a MAP participant's ecampus_user_id is an eCampus user's id.
-- L2: equal normalised e-mail keys, unless the pair is a shared mailbox (both birth years known and
--     different, or both names known and sharing no token).
-- L3: equal name, birth year and country keys, all known, a name of at least two tokens. Records with
--     equal L3 keys are linked to the first record of their group (a star): the same groups as linking
--     every pair, in linear time.
-- L4: a steward decided the pair is one person (`same` in the identity decisions file), both records still
--     there; its evidence is the decision (decided_by, decided_on, decision_reason; null for L1-L3).
--     A `different` adds nothing here: it keeps the pair off the review queue, and is reported in
--     identity_decisions_unresolved when the rules link the pair anyway (it never cuts a rule link).
-- Only equal-key joins: nothing compares all pairs of records.
with records as (
    select * from {{ ref('int_identity_records') }}
),

map_link as (
    select p.record_key as record_key_a, u.record_key as record_key_b, 'L1' as rule
    from records as p
    inner join records as u
        on u.source_system = 'ecampus' and u.source_record_id = p.linked_ecampus_user_id
    where p.source_system = 'map'
),

same_email as (
    select a.record_key as record_key_a, b.record_key as record_key_b, 'L2' as rule
    from records as a
    inner join records as b
        on a.email_key = b.email_key and a.record_key < b.record_key
    where not coalesce(a.birth_year_key <> b.birth_year_key, false)
      and not coalesce(not list_has_any(a.name_token_keys, b.name_token_keys), false)
),

name_groups as (
    select
        record_key,
        min(record_key) over (partition by name_key, birth_year_key, country_alpha2) as group_first_record_key
    from records
    where name_key is not null and birth_year_key is not null and country_alpha2 is not null
      and name_token_count >= 2
),

same_name_birth_year_country as (
    select group_first_record_key as record_key_a, record_key as record_key_b, 'L3' as rule
    from name_groups
    where record_key <> group_first_record_key
),

steward_same as (
    select record_key_a, record_key_b, 'L4' as rule, decided_by, decided_on, decision_reason
    from {{ ref('stg_identity_decisions__decisions') }}
    where decision = 'same'
      and record_key_a in (select record_key from records)
      and record_key_b in (select record_key from records)
),

rule_links as (
    select * from map_link
    union all
    select * from same_email
    union all
    select * from same_name_birth_year_country
)

select record_key_a, record_key_b, rule,
       null::varchar as decided_by, null::date as decided_on, null::varchar as decision_reason
from rule_links
union all
select * from steward_same
