-- The partner category dimension of the funding agreements star: the reference seed `partner_categories`
-- (the 11 PMSU categories, English label as in the workbook, French as in the report's Annex 2), published
-- under the star's name with a model contract.
select partner_category_key, partner_category, partner_category_fr, sort_order
from {{ ref('partner_categories') }}
