-- One row per eCampus course that is a distance course (methodology): its idnumber is the code of a MAP
-- standard or tailored course delivered at a distance; or its idnumber matches no MAP activity and it
-- sits under the top-level category `selfguided` or `tutored`. Never the site course, never a course
-- serving a campus/field/blended activity or a masters edition, never a sandbox course.
with courses as (
    select * from {{ ref('stg_ecampus__courses') }}
),

activities as (
    select * from {{ ref('stg_map__activities') }}
)

select
    c.course_id,
    a.activity_id,
    case
        when a.activity_id is null and c.top_category_idnumber = 'selfguided' then 'self_guided'
        else 'tutor_supported'
    end as modality,
    coalesce(a.gender_marker = 3, false) as is_gender_specific
from courses as c
left join activities as a on a.activity_code = c.activity_code
where not c.is_site_course
  and (
      (a.activity_id is not null and a.service_type in ('standard_course', 'tailored_course')
       and a.delivery_mode = 'distance')
      or (a.activity_id is null and c.top_category_idnumber in ('selfguided', 'tutored'))
  )
