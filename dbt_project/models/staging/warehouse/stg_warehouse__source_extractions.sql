-- Every extraction of a source system, as the merge engine recorded it.
select
    source_system,
    run_id,
    extracted_at,
    data_watermark,
    rows_held,
    rows_written,
    rows_vanished
from {{ source('warehouse', 'source_extractions') }}
