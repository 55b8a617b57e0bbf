with source as (
    select * from {{ source('map', 'service_client') }}
)

select
    activity_id::bigint as activity_id,
    organisation_id::bigint as organisation_id,
    _vanished_at as vanished_at
from source
