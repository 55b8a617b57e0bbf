-- One row per funding partner of the PMSU register. Two agreements have the same partner when their
-- partner names are equal after case, space and accent folding and their countries are equal (the same
-- name in two countries, e.g. a Ministère des Finances, is two partners). The name shown is the one
-- written in the partner's latest agreement.
with agreements as (
    select * from {{ ref('stg_pmsu__agreements') }}
),

countries as (
    select alpha3, name_en, lower(name_en) as name_folded from {{ ref('countries') }}
),

-- English names written in the register that differ from the ISO short names of the countries seed
country_aliases (name_folded, alpha3) as (
    values ('republic of korea', 'KOR'), ('korea, republic of', 'KOR'), ('turkey', 'TUR'),
           ('united states of america', 'USA'), ('viet nam', 'VNM'), ('russia', 'RUS'),
           ('czech republic', 'CZE'), ('united republic of tanzania', 'TZA')
),

partners as (
    select
        partner_key,
        any_value(partner_name_normalised) as partner_name_normalised,
        any_value(lower(partner_country)) as country_folded,
        arg_max(partner_name, coalesce(signed_on, date '1900-01-01')) as partner_name,
        arg_max(partner_country, coalesce(signed_on, date '1900-01-01')) as partner_country,
        count(*) as agreements
    from agreements
    group by partner_key
)

select
    p.partner_key,
    p.partner_name,
    p.partner_name_normalised,
    p.partner_country,
    coalesce(c.alpha3, a.alpha3) as partner_country_alpha3,
    p.agreements
from partners as p
left join countries as c on c.name_folded = p.country_folded
left join country_aliases as a on a.name_folded = p.country_folded
