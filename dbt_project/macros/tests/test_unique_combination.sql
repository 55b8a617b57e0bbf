{#- A row is identified by these columns together (written here rather than pulling dbt_utils: dbt deps
    needs the network at build time). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
