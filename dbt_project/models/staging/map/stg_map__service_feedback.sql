with source as (
    select * from {{ source('map', 'service_feedback') }}
)

select
    feedback_id::bigint as feedback_id,
    activity_id::bigint as activity_id,
    submitted_on::date as submitted_on,
    score::integer as score,
    _vanished_at as vanished_at
from source
