-- One row per agreement of the PMSU register still in the workbook. The extraction already cleaned the
-- hand-typed cells (spaces, amounts typed as text, blank rows); here: names, codes, the signing year and
-- month, and the period covered parsed into its first and last year. The conversion to euros is
-- int_agreements__in_euros. An agreement removed from the workbook (`_vanished_at`) is
-- no longer in the register: its history stays in raw_pmsu.register only.
with source as (
    select * from {{ source('pmsu', 'register') }}
    where _vanished_at is null
),

renamed as (
    select
        ref as agreement_ref,
        regexp_replace(trim(partner), '\s+', ' ', 'g') as partner_name,
        -- the partner's dedup key: case, space and accent folding of the name as written
        strip_accents(lower(regexp_replace(trim(partner), '\s+', ' ', 'g'))) as partner_name_normalised,
        regexp_replace(trim(partner_category), '\s+', ' ', 'g') as partner_category,
        nullif(regexp_replace(trim(country), '\s+', ' ', 'g'), '') as partner_country,
        amount,
        upper(trim(currency)) as currency,
        signed_on,
        year(signed_on) as signed_year,
        strftime(signed_on, '%Y-%m') as rate_month,
        trim(period) as period_covered,
        try_cast(regexp_extract(trim(period), '^(\d{4})(?:\s*[-–/]\s*(\d{2}|\d{4}))?$', 1) as integer)
            as period_first_year,
        regexp_extract(trim(period), '^(\d{4})(?:\s*[-–/]\s*(\d{2}|\d{4}))?$', 2) as period_end_as_written,
        status,
        status = 'Signed' as is_signed,
        notes,
        sheet_row
    from source
),

periods_parsed as (
    select
        * exclude (period_end_as_written),
        -- the partner: same folded name and same country (folded the same way)
        md5(partner_name_normalised || '|' || coalesce(strip_accents(lower(partner_country)), '')) as partner_key,
        case
            when period_first_year is null then null
            when period_end_as_written = '' then period_first_year
            when length(period_end_as_written) = 4 then period_end_as_written::integer
            -- two-digit end year: in the century of the first year, or the next one (`2099-01`)
            else period_first_year - period_first_year % 100 + period_end_as_written::integer
                + case when period_end_as_written::integer < period_first_year % 100 then 100 else 0 end
        end as period_last_year
    from renamed
)

select * from periods_parsed
