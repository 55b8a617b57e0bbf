{#- A Moodle epoch time (UTC seconds; 0 = not set) as the Centre's local time (Europe/Rome).
    The Centre reports by its local calendar: 2022-12-31 23:30 UTC is 2023-01-01 00:30 in Turin. -#}
{% macro moodle_local_time(epoch_column) -%}
    case when {{ epoch_column }} > 0 then timezone('Europe/Rome', to_timestamp({{ epoch_column }})) end
{%- endmacro %}
