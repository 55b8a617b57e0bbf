-- One row per staff position and year, as at 31 December of that year (HR extract). A row no longer in
-- the (appended) file was withdrawn by HR and is left out (its history stays in raw_finance.staff).
with source as (
    select * from {{ source('finance', 'staff') }}
    where _vanished_at is null
),

renamed as (
    select
        year::integer as year,
        trim(position_ref) as position_ref,
        upper(trim(unit)) as unit_code,
        lower(trim(unit_type)) as unit_type,
        lower(trim(unit_type)) = 'support' as is_support_unit,
        coalesce(fte, 0) as fte,
        coalesce(staff_cost_keur, 0) as staff_cost_keur,
        lower(trim(cost_type)) as cost_type,
        lower(trim(cost_type)) = 'indirect' as is_indirect_cost
    from source
)

select * from renamed
