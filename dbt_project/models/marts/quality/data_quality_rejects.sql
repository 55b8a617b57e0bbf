-- Rows the loaders set aside, counted by source, night, file and rule (the rejects a file holds today:
-- reloading a file replaces its rejects, so a corrected file's rejects leave this table).
select
    source_system,
    rejected_at::date as night,
    file_name,
    snapshot_date,
    rule,
    count(*)::bigint as rows_rejected
from {{ ref('stg_warehouse__rejects') }}
group by all
