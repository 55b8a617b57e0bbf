-- One row per MAP activity (training courses, masters editions, non-training services).
select
    activity_id,
    activity_code,
    title,
    service_type,
    is_training,
    delivery_mode,
    is_open_course,
    technical_programme,
    pb_outcome,
    programme_code,
    start_date,
    end_date,
    start_year,
    status,
    is_delivered,
    has_ilo_partnership,
    has_other_partnership,
    ils_marker,
    sdt_marker,
    gender_marker,
    ecampus_course_id
from {{ ref('stg_map__activities') }}
