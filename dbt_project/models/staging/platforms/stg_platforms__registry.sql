with source as (
    select * from {{ source('platforms', 'registry') }}
)

select
    lower(trim(code)) as platform_code,
    name as platform_name,
    intermediary,
    lower(trim(constituent_group)) as constituent_group,
    coalesce(active, true) as is_active,
    since::date as reported_since,
    _vanished_at is not null as has_left_registry
from source
