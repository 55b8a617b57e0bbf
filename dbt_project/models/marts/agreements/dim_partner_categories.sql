-- The 11 partner categories of the PMSU register (contracts/pmsu.md), with their English label as written
-- in the workbook and their French label as the implementation report's Annex 2 headings word them.
-- `sort_order` is the order of Annex 2.
with categories (partner_category_key, partner_category, partner_category_fr, sort_order) as (
    values
        ('awarded_project', 'Awarded project',
         'Projets attribués par le biais de soumissions ou de négociations directes', 1),
        ('un_system', 'UN system', 'Système des Nations Unies', 2),
        ('multi_bilateral', 'Multi- and bilateral',
         'Partenaires multi- et bilatéraux et agences de développement', 3),
        ('ifi', 'International financial institution', 'Institutions financières internationales', 4),
        ('direct_trust_fund', 'Direct trust fund', 'Fonds fiduciaires directs', 5),
        ('training_institute', 'Training institute or university', 'Instituts de formation et universités', 6),
        ('social_partner', 'Social partner',
         'Partenaires sociaux (organisations de travailleurs et d’employeurs)', 7),
        ('private_sector', 'Private sector', 'Secteur privé', 8),
        ('foundation', 'Foundation', 'Fondations', 9),
        ('intergovernmental', 'Intergovernmental organisation', 'Organisations intergouvernementales', 10),
        ('other_ngo', 'Other NGO', 'Autres ONG', 11)
)

select
    partner_category_key,
    partner_category,
    partner_category_fr,
    sort_order::integer as sort_order
from categories
