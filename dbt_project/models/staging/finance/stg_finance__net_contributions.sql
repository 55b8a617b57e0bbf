-- One row per year and source of revenue of the finance extract (thousands of euros). The file is
-- appended to every year: a row no longer in it was withdrawn by Finance and is left out (its history
-- stays in raw_finance.net_contribution).
with source as (
    select * from {{ source('finance', 'net_contribution') }}
    where _vanished_at is null
),

renamed as (
    select
        year::integer as year,
        lower(trim(source)) as revenue_source,
        revenue_keur,
        direct_expenses_keur,
        coalesce(revenue_keur, 0) - coalesce(direct_expenses_keur, 0) as net_contribution_keur,
        -- earned revenue: every source but the voluntary contributions of governments and donors
        lower(trim(source)) <> 'voluntary_contributions' as is_earned
    from source
)

select * from renamed
