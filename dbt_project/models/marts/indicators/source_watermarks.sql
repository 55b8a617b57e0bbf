-- One row per source system: when the warehouse last read it and how far its data goes (the newest
-- modification time, drop or file it holds). Shown with every published figure as its provenance.
{% set systems = {
    'map': ('raw_map', 'registration', 'max(updated_at)::varchar'),
    'ecampus': ('raw_ecampus', 'user_enrolments', 'max(to_timestamp(greatest(timemodified, timecreated)))::varchar'),
    'platforms': ('raw_platforms', 'user_enrolments', 'max(to_timestamp(greatest(timemodified, timecreated)))::varchar'),
    'solicomm': ('raw_solicomm', 'enrolments', 'max(snapshot_date)::varchar'),
    'pmsu': ('raw_pmsu', 'register', 'max(signed_on)::varchar'),
    'finance': ('raw_finance', 'net_contribution', 'max(year)::varchar'),
    'evaluation': ('raw_evaluation', 'responses', 'max(survey_year)::varchar'),
    'submissions': ('raw_submissions', 'submissions', 'max(submitted_on)::varchar'),
} %}
{% for system, (schema, table, watermark) in systems.items() %}
select
    '{{ system }}' as source_system,
    max(_extracted_at) as last_extracted_at,
    {{ watermark }} as data_watermark,
    count(*) as rows_held
from {{ source(system, table) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
