-- One row per respondent of an external evaluation file. A survey year's results are the Centre's results
-- for that year (contracts/evaluation.md): `results_year` = `survey_year`.
-- Rows that vanished while their file is still in the folder were removed by the evaluator (a corrected
-- file) and are left out; the rows of a file taken out of the folder altogether stay (history kept).
with source as (
    select
        *,
        count(*) filter (where _vanished_at is null) over (partition by survey_file) as rows_present_in_file
    from {{ source('evaluation', 'responses') }}
),

renamed as (
    select
        survey_file,
        trim(respondent_id) as respondent_id,
        survey_year::integer as survey_year,
        survey_year::integer as results_year,
        lower(trim(modality)) as modality,
        relevant::integer as relevant_score,
        theory_to_practice::integer as theory_to_practice_score,
        can_apply::integer as can_apply_score,
        nullif(lower(trim(gave_example)), '') as gave_example,
        _vanished_at as vanished_at
    from source
    where _vanished_at is null or rows_present_in_file = 0
)

select * from renamed
