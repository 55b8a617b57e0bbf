-- The size distribution of the resolved persons (connected components of linked records): how many
-- persons rest on 1, 2, 3 … records. A long tail flags over-merging (a shared mailbox, a common name).
select
    records,
    count(*)::bigint as persons,
    (count(*) * records)::bigint as records_total
from {{ ref('dim_persons') }}
group by records
