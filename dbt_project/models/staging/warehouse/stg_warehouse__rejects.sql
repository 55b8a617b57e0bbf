-- Every row a file source's loader set aside, one union over the rejects tables of the file sources
-- (finance, pmsu, evaluation, submissions: a file's rejects replace its previous ones on reload;
-- solicomm: one set per drop). The raw lines stay in the raw layer: only where and why.
{% set file_sources = ['evaluation', 'finance', 'pmsu', 'submissions'] %}
{% for system in file_sources %}
select
    '{{ system }}' as source_system,
    file_name,
    null::date as snapshot_date,
    line_number,
    rule,
    rejected_at
from {{ source(system, 'rejects') }}
union all
{% endfor %}
select
    'solicomm' as source_system,
    file_name,
    snapshot_date,
    line_number,
    rule,
    rejected_at
from {{ source('solicomm', 'rejects') }}
