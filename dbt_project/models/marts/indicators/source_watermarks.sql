-- One row per source system: when the warehouse last read it and how far its data goes (the newest
-- modification time, drop or file it holds), from its latest extraction. Shown with every published
-- figure as its provenance. The list of systems is the registry's (orchestration/extract/registry.py):
-- every system extracted appears here, with no list to keep in step.
select
    source_system,
    extracted_at as last_extracted_at,
    data_watermark,
    rows_held
from {{ ref('stg_warehouse__source_extractions') }}
qualify row_number() over (partition by source_system order by extracted_at desc nulls last) = 1
