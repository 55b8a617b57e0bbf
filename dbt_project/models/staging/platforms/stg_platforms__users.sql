-- External platform learners are counted as enrolments only (never resolved into persons): only the
-- flags the counting rule needs are kept here.
with source as (
    select * from {{ source('platforms', 'user') }}
)

select
    platform_code,
    id::bigint as user_id,
    coalesce(deleted::integer, 0) = 1 as is_deleted,
    coalesce(is_guest_account, false) as is_guest_account,
    lower(trim(auth)) = 'nologin' as is_nologin
from source
