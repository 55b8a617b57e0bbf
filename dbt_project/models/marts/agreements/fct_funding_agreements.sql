-- One row per funding agreement of the PMSU register, whatever its status, with its amount in its currency
-- and in euros (at the UN operational rate of the signing month), signing date, status and the period it
-- covers. The partner category is denormalised (English and French labels) for BI tools. The register's
-- free-text notes are left out: they may name people.
with agreements as (
    select * from {{ ref('int_agreements__in_euros') }}
),

categories as (
    select * from {{ ref('dim_partner_categories') }}
)

select
    a.agreement_ref,
    a.partner_key,
    c.partner_category_key,
    c.partner_category,
    c.partner_category_fr,
    a.amount,
    a.currency,
    a.rate_month,
    a.rate_eur_per_unit,
    a.amount_eur,
    a.amount_eur > 500000 as is_over_500k_eur,
    a.signed_on,
    a.signed_year,
    a.status,
    a.is_signed,
    a.period_covered,
    a.period_first_year,
    a.period_last_year
from agreements as a
left join categories as c on lower(c.partner_category) = lower(a.partner_category)
