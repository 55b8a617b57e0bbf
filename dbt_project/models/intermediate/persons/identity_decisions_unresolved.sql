-- The stewards' decisions that identity resolution could not apply as written, with why. Empty when every
-- decision holds (dbt test identity_decisions_are_all_applied warns otherwise):
-- - record_missing: a record of the pair is not (or no longer) an identity record (erased at the source,
--   removed from a drop, or a mistyped id): a `same` adds no L4 link.
-- - different_but_rule_linked: a `different` on a pair that a rule (L1-L3) links directly. The rules are
--   the published method: a steward's `different` does not cut them; it is a finding for the methodology
--   owner (e.g. a shared mailbox the L2 guard missed), not a silent change of the figures.
-- - different_but_one_person: a `different` on two records that are one person through other links
--   (other records, or other stewards' `same`): not applied either; the steward reviews the person's links.
with decisions as (
    select * from {{ ref('stg_identity_decisions__decisions') }}
),

records as (
    select record_key from {{ ref('int_identity_records') }}
),

persons as (
    select record_key, person_key from {{ ref('int_persons_resolved') }}
),

rule_links as (
    select least(record_key_a, record_key_b) as record_key_a, greatest(record_key_a, record_key_b) as record_key_b,
           string_agg(distinct rule, ', ' order by rule) as rules
    from {{ ref('int_identity_links') }}
    where rule <> 'L4'
    group by all
),

checked as (
    select
        d.*,
        case
            when ra.record_key is null or rb.record_key is null then 'record_missing'
            when d.decision = 'different' and l.rules is not null then 'different_but_rule_linked'
            when d.decision = 'different' and pa.person_key = pb.person_key then 'different_but_one_person'
        end as status,
        concat_ws(' and ', case when ra.record_key is null then d.record_key_a end,
                  case when rb.record_key is null then d.record_key_b end) as missing_records,
        l.rules,
        pa.person_key
    from decisions as d
    left join records as ra on ra.record_key = d.record_key_a
    left join records as rb on rb.record_key = d.record_key_b
    left join persons as pa on pa.record_key = d.record_key_a
    left join persons as pb on pb.record_key = d.record_key_b
    left join rule_links as l on l.record_key_a = d.record_key_a and l.record_key_b = d.record_key_b
)

select
    pair_key,
    record_key_a,
    record_key_b,
    decision,
    decided_by,
    decided_on,
    decision_reason,
    line_number,
    status,
    case status
        when 'record_missing' then missing_records || ' no longer in the sources (erased, or a mistyped id): not applied'
        when 'different_but_rule_linked' then 'rule ' || rules || ' links these records: a steward''s different '
            || 'does not cut a rule link (the published method); not applied, raise it with the methodology owner'
        else 'one person ' || person_key || ' through other links: not applied; review that person''s links'
    end as explanation
from checked
where status is not null
