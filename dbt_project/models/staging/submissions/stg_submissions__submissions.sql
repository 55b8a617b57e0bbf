-- Every row of the unit submissions file as loaded (contracts/submissions.md), every version kept, typed
-- where the text allows: `value` is null when the text written is not a number (see value_as_written),
-- `submitted_on` null when it is not a date. Validation and the current version: intermediate/submissions.
with source as (
    select * from {{ source('submissions', 'submissions') }}
),

renamed as (
    select
        trim(indicator_code) as indicator_code,
        trim(measure) as measure,
        trim(period) as period,
        case when regexp_matches(trim(period), '^\d{4}-\d{2}$') then 'biennium' else 'year' end as period_type,
        nullif(trim(value), '') as value_as_written,
        try_cast(replace(replace(trim(value), ' ', ''), '%', '') as double) as value,
        nullif(trim(text), '') as value_text,
        upper(trim(submitted_by)) as submitted_by,
        trim(submitted_on) as submitted_on_as_written,
        coalesce(
            try_strptime(trim(submitted_on), '%Y-%m-%d'),
            try_strptime(trim(submitted_on), '%d/%m/%Y'),
            try_strptime(trim(submitted_on), '%Y-%m-%d %H:%M:%S')
        )::date as submitted_on,
        line_number,
        source_file,
        _vanished_at as vanished_at
    from source
)

select * from renamed
