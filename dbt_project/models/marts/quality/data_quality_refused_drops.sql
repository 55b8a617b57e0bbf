-- SoliComm drops a run refused to load, by night: which drop and why (the previous snapshot stayed in
-- force). A drop refused on several nights has a row for each.
select
    refused_at::date as night,
    run_id,
    snapshot_date,
    reason
from {{ source('solicomm', 'drops_refused') }}
