{#- Every non-null value matches the regular expression as a whole. -#}
{% test matches_pattern(model, column_name, regex) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} is not null and not regexp_full_match({{ column_name }}, '{{ regex }}')
{% endtest %}
