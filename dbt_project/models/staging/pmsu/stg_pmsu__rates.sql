-- One row per month and currency of the PMSU workbook's Rates sheet (UN operational rates of exchange).
with source as (
    select * from {{ source('pmsu', 'rates') }}
    where _vanished_at is null
),

renamed as (
    select
        month as rate_month,
        upper(trim(currency)) as currency,
        rate as rate_eur_per_unit
    from source
)

select * from renamed
