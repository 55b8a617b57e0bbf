-- What each night loaded: one row per source system and run (a source may be extracted several times in
-- one run, one SoliComm drop each), from the extraction log. Sources the deployment does not configure
-- (extracted_at null) are left out: they loaded nothing.
select
    source_system,
    run_id,
    min(extracted_at)::date as night,
    max(extracted_at) as extracted_at,
    count(*)::bigint as extractions,
    sum(rows_written)::bigint as rows_loaded,
    sum(rows_vanished)::bigint as rows_vanished,
    arg_max(rows_held, extracted_at)::bigint as rows_held
from {{ ref('stg_warehouse__source_extractions') }}
where extracted_at is not null
group by source_system, run_id
