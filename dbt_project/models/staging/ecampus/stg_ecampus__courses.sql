-- One row per eCampus course with the idnumber of its top-level category (selfguided, tutored, f2f,
-- masters, sandbox). Course id 1 is the site front page, never a course.
with source as (
    select * from {{ source('ecampus', 'course') }}
),

categories as (
    select id::bigint as category_id, nullif(trim(idnumber), '') as idnumber, path
    from {{ source('ecampus', 'course_categories') }}
),

renamed as (
    select
        c.id::bigint as course_id,
        c.category::bigint as category_id,
        nullif(trim(c.idnumber), '') as activity_code,
        top.idnumber as top_category_idnumber,
        c.id = 1 as is_site_course,
        coalesce(c.visible::integer, 1) = 1 as is_visible,
        {{ moodle_local_time('c.startdate') }} as starts_at,
        c._vanished_at as vanished_at
    from source as c
    left join categories as cat on cat.category_id = c.category
    left join categories as top
        on top.category_id = try_cast(split_part(ltrim(cat.path, '/'), '/', 1) as bigint)
)

select * from renamed
