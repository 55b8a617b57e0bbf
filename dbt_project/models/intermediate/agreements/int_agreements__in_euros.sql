-- One row per agreement of the PMSU register: stg_pmsu__agreements with the amount in euros at the UN
-- operational rate of the signing month (sheet Rates: euros for one unit; EUR needs no rate). An agreement
-- not signed has no rate and no amount in euros. A Signed agreement whose month and currency have no rate
-- fails the test on amount_eur (the rule the extraction used to apply).
with agreements as (
    select * from {{ ref('stg_pmsu__agreements') }}
),

rates as (
    select * from {{ ref('stg_pmsu__rates') }}
)

select
    a.* exclude (rate_month),
    a.rate_month,
    case when a.currency = 'EUR' and a.signed_on is not null then 1.0 else r.rate_eur_per_unit end
        as rate_eur_per_unit,
    a.amount * case when a.currency = 'EUR' and a.signed_on is not null then 1.0 else r.rate_eur_per_unit end
        as amount_eur
from agreements as a
left join rates as r on r.rate_month = a.rate_month and r.currency = a.currency
