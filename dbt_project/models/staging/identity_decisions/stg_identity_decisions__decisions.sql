-- The stewards' current decisions, one per pair of identity records (record_key_a < record_key_b, as the
-- extraction stores them). A row removed from the file is a withdrawn decision: left out.
-- A table, not a view like the other staging models: the review queue reads it from build.duckdb alone,
-- without attaching the raw file.
{{ config(materialized='table') }}
select
    record_a as record_key_a,
    record_b as record_key_b,
    record_a || '|' || record_b as pair_key,
    decision,
    decided_by,
    decided_on,
    reason as decision_reason,
    line_number
from {{ source('identity_decisions', 'decisions') }}
where _vanished_at is null
