-- Rows gone from their source, per raw table: the warehouse keeps them, flagged `_vanished_at` (the
-- staging views of some sources leave them out, so this reads the raw tables). In the tables of persons
-- (MAP participants, eCampus and platform users, SoliComm members) a vanished record was erased at the
-- source: extraction nulled its match keys (rows_erased), so it links to no one any more.
{% set tables = {
    'map': ['activity', 'participant', 'registration', 'organisation', 'service_client', 'service_feedback'],
    'ecampus': ['user', 'user_info_field', 'user_info_data', 'course', 'course_categories', 'enrol',
                'user_enrolments', 'context', 'role', 'role_assignments', 'modules', 'course_modules', 'quiz',
                'quiz_attempts', 'grade_items', 'feedback', 'feedback_item', 'feedback_completed',
                'feedback_value'],
    'platforms': ['registry', 'user', 'course', 'course_categories', 'enrol', 'user_enrolments', 'context', 'role',
                  'role_assignments'],
    'solicomm': ['members', 'courses', 'enrolments'],
    'pmsu': ['register', 'rates'],
    'finance': ['net_contribution', 'staff'],
    'evaluation': ['responses'],
    'submissions': ['submissions'],
} %}
{% set person_tables = [('map', 'participant'), ('ecampus', 'user'), ('platforms', 'user'), ('solicomm', 'members')] %}
{% for system, names in tables.items() %}
{% for name in names %}
select
    '{{ system }}' as source_system,
    '{{ name }}' as table_name,
    count(*)::bigint as rows_held,
    count(_vanished_at)::bigint as rows_vanished,
    {% if (system, name) in person_tables %}count(*) filter (where _vanished_at is not null and email_key is null)
    {%- else %}0{% endif %}::bigint as rows_erased,
    max(_vanished_at)::timestamp as last_vanished_at
from {{ source(system, name) }}
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% if not loop.last %}union all{% endif %}
{% endfor %}
