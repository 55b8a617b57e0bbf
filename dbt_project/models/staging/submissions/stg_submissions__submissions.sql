-- Every accepted version of a unit submission (contracts/submissions.md), including superseded ones; a
-- submission removed from the file keeps `vanished_at` and is never current.
with source as (
    select * from {{ source('submissions', 'submissions') }}
),

renamed as (
    select
        trim(indicator_code) as indicator_code,
        trim(measure) as measure,
        trim(period) as period,
        case when regexp_matches(trim(period), '^\d{4}-\d{2}$') then 'biennium' else 'year' end as period_type,
        value,
        nullif(trim(text), '') as value_text,
        upper(trim(submitted_by)) as submitted_by,
        submitted_on,
        line_number,
        source_file,
        _vanished_at as vanished_at
    from source
)

select * from renamed
